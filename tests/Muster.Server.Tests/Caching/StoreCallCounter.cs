using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Muster.Storage;
using Muster.Storage.Sql;

namespace Muster.Server.Tests.Caching;

/// <summary>
/// Counts the calls a server makes to its store, per method and first argument (a token hash, a run id), by standing
/// between the server and the real SQLite store.
/// </summary>
public sealed class StoreCallCounter
{
    private readonly ConcurrentDictionary<(string Method, string? Key), int> _calls = new();

    /// <summary>Puts counting decorators in front of <see cref="IRunStore"/> and <see cref="ITokenStore"/>.</summary>
    public void Register(IServiceCollection services)
    {
        services.AddSingleton<IRunStore>(sp => Counting<IRunStore>.Create(sp.GetRequiredService<SqlRunStore>(), this));
        services.AddSingleton<ITokenStore>(sp => Counting<ITokenStore>.Create(sp.GetRequiredService<SqlRunStore>(), this));
    }

    public int Count(string method, object key) => _calls.GetValueOrDefault((method, key.ToString()));

    private void Record(string method, object? key) => _calls.AddOrUpdate((method, key?.ToString()), 1, (_, n) => n + 1);

    /// <summary>Forwards every call to the real store after recording it.</summary>
    public class Counting<T> : DispatchProxy
        where T : class
    {
        private T _inner = null!;
        private StoreCallCounter _counter = null!;

        public static T Create(T inner, StoreCallCounter counter)
        {
            var proxy = DispatchProxy.Create<T, Counting<T>>();
            var counting = (Counting<T>)(object)proxy;
            counting._inner = inner;
            counting._counter = counter;
            return proxy;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            _counter.Record(targetMethod!.Name, args is { Length: > 0 } ? args[0] : null);
            try
            {
                return targetMethod.Invoke(_inner, args);
            }
            catch (TargetInvocationException ex) when (ex.InnerException is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(ex.InnerException);
                throw;
            }
        }
    }
}
