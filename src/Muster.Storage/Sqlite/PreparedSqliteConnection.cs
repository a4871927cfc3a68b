using System.Collections.Concurrent;
using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Data.Sqlite;

namespace Muster.Storage.Sqlite;

/// <summary>
/// A long-lived SQLite connection that keeps its statements prepared. Microsoft.Data.Sqlite prepares a statement
/// per command object and finalizes it when the command is disposed, and Dapper makes a command per call, so every
/// read and write compiled its SQL anew: the largest single cost of a status read. Commands this connection creates
/// hand their SQL to a <see cref="SqliteCommand"/> kept per distinct text (least recently used beyond
/// <see cref="Capacity"/> are finalized), which prepares once and is re-bound on each use.
/// </summary>
/// <remarks>
/// Used by one caller at a time, like any connection. A text whose command is still in use (a nested command on the
/// same connection) gets a command of its own, disposed as usual.
/// </remarks>
internal sealed class PreparedSqliteConnection(string connectionString) : SqliteConnection(connectionString)
{
    /// <summary>Distinct statement texts kept prepared. The store uses a few dozen; generated texts (IN lists) vary more.</summary>
    public const int Capacity = 64;

    private readonly Dictionary<string, LinkedListNode<CachedStatement>> _byText = new(StringComparer.Ordinal);
    private readonly LinkedList<CachedStatement> _recency = new();

    /// <summary>How many statements were prepared (cache misses), for tests and diagnostics.</summary>
    public int Prepared { get; private set; }

    protected override DbCommand CreateDbCommand() => new ReusingCommand(this);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var statement in _recency)
            {
                statement.Command.Dispose();
            }

            _recency.Clear();
            _byText.Clear();
        }

        base.Dispose(disposing);
    }

    /// <summary>The prepared command for <paramref name="text"/>, or a fresh one when it is in use; <paramref name="cached"/> says which.</summary>
    private SqliteCommand Rent(string text, out bool cached)
    {
        if (_byText.TryGetValue(text, out var node))
        {
            _recency.Remove(node);
            _recency.AddFirst(node);
            if (!node.Value.InUse)
            {
                node.Value.InUse = true;
                cached = true;
                return node.Value.Command;
            }

            cached = false;
            return NewCommand(text);
        }

        var command = NewCommand(text);
        Prepared++;
        _byText[text] = _recency.AddFirst(new CachedStatement(command) { InUse = true });
        while (_recency.Count > Capacity && _recency.Last is { Value.InUse: false } oldest)
        {
            _recency.RemoveLast();
            _byText.Remove(oldest.Value.Command.CommandText);
            oldest.Value.Command.Dispose();
        }

        cached = true;
        return command;
    }

    private void Return(SqliteCommand command)
    {
        command.Parameters.Clear();
        command.Transaction = null;
        if (_byText.TryGetValue(command.CommandText, out var node) && ReferenceEquals(node.Value.Command, command))
        {
            node.Value.InUse = false;
        }
        else
        {
            // Evicted while in use.
            command.Dispose();
        }
    }

    private SqliteCommand NewCommand(string text)
    {
        var command = base.CreateDbCommand();
        command.CommandText = text;
        return (SqliteCommand)command;
    }

    /// <summary>Parameter names with their <c>@</c>, made once per distinct name (up to a bound, then made each time).</summary>
    private static class ParameterNames
    {
        private const int MaxNames = 4096;
        private static readonly ConcurrentDictionary<string, string> Names = new(StringComparer.Ordinal);

        public static string AtPrefixed(string name) =>
            Names.TryGetValue(name, out var prefixed) ? prefixed
            : Names.Count < MaxNames ? Names.GetOrAdd(name, static n => "@" + n)
            : "@" + name;
    }

    private sealed class CachedStatement(SqliteCommand command)
    {
        public SqliteCommand Command { get; } = command;

        public bool InUse { get; set; }
    }

    /// <summary>
    /// What Dapper (or any caller) gets from <see cref="DbConnection.CreateCommand"/>: settings are collected until the
    /// text is known, then everything goes to the rented command, which is given back on dispose.
    /// </summary>
    private sealed class ReusingCommand(PreparedSqliteConnection connection) : DbCommand
    {
        private SqliteCommand? _inner;
        private bool _cached;
        private SqliteTransaction? _transaction;
        private int _timeout = 30;

        [AllowNull]
        public override string CommandText
        {
            get => _inner?.CommandText ?? "";
            set
            {
                // Dapper rewrites the text after binding when it expands a list parameter (IN @ids): the parameters
                // already added move to the command of the new text.
                var parameters = _inner is { Parameters.Count: > 0 } ? _inner.Parameters.Cast<SqliteParameter>().ToArray() : [];
                ReleaseInner();
                if (!string.IsNullOrEmpty(value))
                {
                    _inner = connection.Rent(value, out _cached);
                    _inner.Transaction = _transaction;
                    _inner.CommandTimeout = _timeout;
                    _inner.Parameters.AddRange(parameters);
                }
            }
        }

        public override int CommandTimeout
        {
            get => _timeout;
            set
            {
                _timeout = value;
                _inner?.CommandTimeout = value;
            }
        }

        public override CommandType CommandType
        {
            get => CommandType.Text;
            set
            {
                if (value != CommandType.Text)
                {
                    throw new ArgumentException("SQLite runs text commands only.", nameof(value));
                }
            }
        }

        public override UpdateRowSource UpdatedRowSource { get; set; }

        public override bool DesignTimeVisible { get; set; }

        protected override DbConnection? DbConnection
        {
            get => connection;
            set
            {
                if (!ReferenceEquals(value, connection))
                {
                    throw new NotSupportedException("A prepared command stays with the connection that made it.");
                }
            }
        }

        protected override DbParameterCollection DbParameterCollection => Inner.Parameters;

        protected override DbTransaction? DbTransaction
        {
            get => _transaction;
            set
            {
                _transaction = (SqliteTransaction?)value;
                _inner?.Transaction = _transaction;
            }
        }

        private SqliteCommand Inner => _inner ?? throw new InvalidOperationException("Set the command text first.");

        public override void Cancel() => _inner?.Cancel();

        public override int ExecuteNonQuery() => Bound().ExecuteNonQuery();

        public override object? ExecuteScalar() => Bound().ExecuteScalar();

        public override void Prepare() => Inner.Prepare();

        protected override DbParameter CreateDbParameter() => new SqliteParameter();

        protected override DbDataReader ExecuteDbDataReader(CommandBehavior behavior) => Bound().ExecuteReader(behavior);

        /// <summary>
        /// The inner command with its parameters named as the SQL writes them. Dapper names parameters without their
        /// prefix (<c>Id</c> for <c>@Id</c>), and Microsoft.Data.Sqlite then finds each one by trying the bare name and
        /// every prefix in turn, a new string and UTF-8 copy per try, on every execution: an eighth of all a busy node
        /// allocated. Naming them <c>@Id</c> up front (from a shared table of names) leaves one look-up each.
        /// </summary>
        private SqliteCommand Bound()
        {
            var inner = Inner;
            var parameters = inner.Parameters;
            for (var i = 0; i < parameters.Count; i++)
            {
                var parameter = parameters[i];
                var name = parameter.ParameterName;
                if (name.Length > 0 && name[0] is not ('@' or '$' or ':')
                    && ParameterNames.AtPrefixed(name) is var prefixed
                    && inner.CommandText.Contains(prefixed, StringComparison.Ordinal))
                {
                    parameter.ParameterName = prefixed;
                }
            }

            return inner;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                ReleaseInner();
            }

            base.Dispose(disposing);
        }

        private void ReleaseInner()
        {
            if (_inner is null)
            {
                return;
            }

            if (_cached)
            {
                connection.Return(_inner);
            }
            else
            {
                _inner.Dispose();
            }

            _inner = null;
        }
    }
}
