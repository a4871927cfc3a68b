using System.Collections.Concurrent;
using System.Reflection;
using Muster.Core.Engine;
using Muster.Storage;

namespace Muster.Server.Tests.Caching;

/// <summary>
/// The real store, counting each run's reads, whose task-result reads can be held at the door: a status read then
/// stands between reading the run and reading its tasks, as a slow read would.
/// </summary>
public class GatedStore : DispatchProxy
{
    private readonly ConcurrentDictionary<Guid, int> _runReads = new();
    private IRunStore _inner = null!;
    private Hold? _hold;

    public static IRunStore Create(IRunStore inner)
    {
        var proxy = DispatchProxy.Create<IRunStore, GatedStore>();
        ((GatedStore)(object)proxy)._inner = inner;
        return proxy;
    }

    public static GatedStore Of(IRunStore store) => (GatedStore)(object)store;

    public int RunReads(Guid runId) => _runReads.GetValueOrDefault(runId);

    /// <summary>Holds the next task-result read until <see cref="Hold.Release"/>.</summary>
    public Hold HoldTaskReads() => _hold = new Hold();

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        var forward = () => Forward(targetMethod!, args);
        switch (targetMethod!.Name)
        {
            case nameof(IRunStore.GetRunAsync):
                _runReads.AddOrUpdate((Guid)args![0]!, 1, (_, n) => n + 1);
                return forward();
            case nameof(IRunStore.GetTaskResultsAsync) when Interlocked.Exchange(ref _hold, null) is { } hold:
                return hold.ThenAsync(() => (Task<IReadOnlyList<TaskOutput>>)forward()!);
            default:
                return forward();
        }
    }

    private object? Forward(MethodInfo method, object?[]? args)
    {
        try
        {
            return method.Invoke(_inner, args);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(ex.InnerException);
            throw;
        }
    }

    public sealed class Hold
    {
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Completes once a read is held.</summary>
        public Task Entered => _entered.Task;

        public void Release() => _released.TrySetResult();

        public async Task<IReadOnlyList<TaskOutput>> ThenAsync(Func<Task<IReadOnlyList<TaskOutput>>> read)
        {
            _entered.TrySetResult();
            await _released.Task;
            return await read();
        }
    }
}
