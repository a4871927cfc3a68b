using Microsoft.Extensions.Options;
using Muster.Storage;
using Muster.Storage.Sqlite;

namespace Muster.Server.Hosting;

/// <summary>
/// Holds the SQLite store's server lock (<see cref="SqliteServerLock"/>) for the life of the server. The first start-up
/// step, so a second server on the same file stops before it touches the store or binds a port. PostgreSQL serves
/// several nodes by design and takes no such lock.
/// </summary>
internal sealed class ServerLock(IOptions<StorageOptions> storage) : IHostedService, IDisposable
{
    private SqliteServerLock? _held;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (storage.Value.SqliteFile() is { } file)
        {
            _held = SqliteServerLock.Acquire(file);
        }

        return Task.CompletedTask;
    }

    // Kept past StopAsync: the container disposes this after the store (created later), so the lock outlives the
    // store's last queued writes.
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _held?.Dispose();
}
