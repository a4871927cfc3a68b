using System.Collections.Concurrent;
using System.Reflection;
using Muster.Storage;

namespace Muster.Console.Tests;

/// <summary>The real store, counting each run's reads (the run and its events), so a test can say what a page costs it.</summary>
public class CountingRunStore : DispatchProxy
{
    private readonly ConcurrentDictionary<Guid, int> _reads = new();
    private IRunStore _inner = null!;

    public static IRunStore Create(IRunStore inner)
    {
        var proxy = DispatchProxy.Create<IRunStore, CountingRunStore>();
        ((CountingRunStore)(object)proxy)._inner = inner;
        return proxy;
    }

    public static CountingRunStore Of(IRunStore store) => (CountingRunStore)(object)store;

    /// <summary>How many times the run or its events have been read so far.</summary>
    public int Reads(Guid runId) => _reads.GetValueOrDefault(runId);

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        if (targetMethod!.Name is nameof(IRunStore.GetRunAsync) or nameof(IRunStore.GetEventsAsync) or nameof(IRunStore.GetTaskResultsAsync))
        {
            _reads.AddOrUpdate((Guid)args![0]!, 1, (_, n) => n + 1);
        }

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
