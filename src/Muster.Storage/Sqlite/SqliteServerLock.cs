namespace Muster.Storage.Sqlite;

/// <summary>
/// The lock a Muster server holds on its SQLite store for as long as it runs: an OS lock on a file beside the database
/// (<c>muster.db.server.lock</c>), never on the database itself, so the CLI's store commands keep working beside the
/// server. One server per file: at start, a server on SQLite takes every leased run as a dead predecessor's, which is
/// only true when no other server is alive. The OS drops the lock when the process ends, however it ends.
/// </summary>
public sealed class SqliteServerLock : IDisposable
{
    // What a conflicting lock reports: EWOULDBLOCK from flock on Linux and macOS, ERROR_SHARING_VIOLATION on Windows.
    private const int WouldBlock = 11;
    private const int SharingViolation = unchecked((int)0x80070020);

    private readonly FileStream _file;

    private SqliteServerLock(FileStream file) => _file = file;

    /// <summary>The lock file of <paramref name="databaseFile"/>.</summary>
    public static string PathFor(string databaseFile) => databaseFile + ".server.lock";

    /// <summary>Takes the lock of <paramref name="databaseFile"/> (a full path), creating its folder if needed.</summary>
    /// <exception cref="StoreInUseException">Another server (in any process) holds it.</exception>
    public static SqliteServerLock Acquire(string databaseFile)
    {
        ArgumentException.ThrowIfNullOrEmpty(databaseFile);
        var path = PathFor(databaseFile);
        if (Path.GetDirectoryName(path) is { Length: > 0 } directory)
        {
            Directory.CreateDirectory(directory);
        }

        try
        {
            // FileShare.None is an exclusive flock on Unix: held by this open file until it is closed or the process dies.
            return new SqliteServerLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException ex) when (ex.HResult is WouldBlock or SharingViolation)
        {
            throw new StoreInUseException(databaseFile, ex);
        }
    }

    public void Dispose() => _file.Dispose();
}
