using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Muster.Storage.Sqlite;

public sealed partial class SqliteRunStore
{
    private const string Savepoint = "SAVEPOINT write";
    private const string RollbackToSavepoint = "ROLLBACK TO SAVEPOINT write";
    private const string ReleaseSavepoint = "RELEASE SAVEPOINT write";

    private async Task WriteLoopAsync()
    {
        var batch = new List<PendingWrite>(MaxBatch);
        while (await _writes.Reader.WaitToReadAsync())
        {
            while (batch.Count < MaxBatch && _writes.Reader.TryRead(out var write))
            {
                if (!write.Abandoned)
                {
                    batch.Add(write);
                }
            }

            if (batch.Count > 0)
            {
                await CommitAsync(batch);
                batch.Clear();
            }
        }
    }

    /// <summary>
    /// Runs the queued writes in one transaction, each in a savepoint so that one failing write is rolled back alone,
    /// and answers every caller only once the transaction has committed. A caller that gives up before its write has
    /// begun (while another process holds the lock, say) is answered at once, and its write never runs.
    /// </summary>
    private async Task CommitAsync(List<PendingWrite> batch)
    {
        try
        {
            var connection = await WriterConnectionAsync();
            // BEGIN IMMEDIATE (Microsoft.Data.Sqlite's default): take the write lock up front, so a read inside the
            // transaction can never be invalidated by another process's commit.
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
            if (batch.Count == 1)
            {
                try
                {
                    if (!batch[0].TryBegin())
                    {
                        await transaction.RollbackAsync();
                        return;
                    }

                    await batch[0].RunAsync(connection, transaction);
                }
                catch (Exception ex)
                {
                    // The one write failed (a sequence check, a lost lease): rolling the transaction back undoes it alone,
                    // and the connection stays as good as it was.
                    await transaction.RollbackAsync();
                    batch[0].Fail(ex);
                    return;
                }
            }
            else
            {
                foreach (var write in batch)
                {
                    await RunInSavepointAsync(write, connection, transaction);
                }
            }

            await transaction.CommitAsync();
        }
        catch (Exception ex)
        {
            // The transaction itself failed to begin, commit or roll back: the connection may be left mid-transaction or
            // broken, so the next batch opens a fresh one.
            if (_writerConnection is { } broken)
            {
                _writerConnection = null;
                await broken.DisposeAsync();
            }

            // Nothing of this batch was committed: every write still waiting hears why.
            foreach (var write in batch)
            {
                write.Fail(ex);
            }

            return;
        }

        foreach (var write in batch)
        {
            write.Complete();
        }
    }

    // The savepoint statements go through Dapper and so through the connection's prepared commands
    // (SqliteTransaction.Save prepares anew each time).
    private static async Task RunInSavepointAsync(PendingWrite write, SqliteConnection connection, SqliteTransaction transaction)
    {
        if (!write.TryBegin())
        {
            return;
        }

        await connection.ExecuteAsync(new CommandDefinition(Savepoint, transaction: transaction));
        try
        {
            await write.RunAsync(connection, transaction);
        }
        catch (Exception ex)
        {
            await connection.ExecuteAsync(new CommandDefinition(RollbackToSavepoint, transaction: transaction));
            write.Fail(ex);
        }

        await connection.ExecuteAsync(new CommandDefinition(ReleaseSavepoint, transaction: transaction));
    }

    /// <summary>A write waiting for the writer: the work, its caller's cancellation, and the caller's answer.</summary>
    private abstract class PendingWrite
    {
        /// <summary>The caller gave up before the write began: it must not run.</summary>
        public abstract bool Abandoned { get; }

        /// <summary>Marks the write as begun, after which its caller waits for the commit; false when the caller gave up first.</summary>
        public abstract bool TryBegin();

        public abstract Task RunAsync(DbConnection connection, DbTransaction transaction);

        /// <summary>Hands the result over, after the commit (a no-op when the write already failed).</summary>
        public abstract void Complete();

        public abstract void Fail(Exception exception);
    }

    private sealed class PendingWrite<T> : PendingWrite
    {
        private const int Queued = 0;
        private const int Begun = 1;
        private const int Cancelled = 2;

        private readonly Func<DbConnection, DbTransaction, Task<T>> _work;
        private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly CancellationTokenRegistration _registration;
        private int _state;
        private T? _result;

        public PendingWrite(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken)
        {
            _work = work;
            // A caller that gives up is answered at once if its write has not begun; once begun, it ends with the batch.
            _registration = cancellationToken.Register(() =>
            {
                if (Interlocked.CompareExchange(ref _state, Cancelled, Queued) == Queued)
                {
                    _completion.TrySetCanceled(cancellationToken);
                }
            });
        }

        public Task<T> Task => _completion.Task;

        public override bool Abandoned => Volatile.Read(ref _state) == Cancelled;

        public override bool TryBegin() => Interlocked.CompareExchange(ref _state, Begun, Queued) == Queued;

        public override async Task RunAsync(DbConnection connection, DbTransaction transaction) => _result = await _work(connection, transaction);

        public override void Complete()
        {
            _registration.Dispose();
            _completion.TrySetResult(_result!);
        }

        public override void Fail(Exception exception)
        {
            _registration.Dispose();
            if (exception is OperationCanceledException canceled)
            {
                _completion.TrySetCanceled(canceled.CancellationToken);
            }
            else
            {
                _completion.TrySetException(exception);
            }
        }
    }
}
