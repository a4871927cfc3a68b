using System.Net;
using System.Reflection;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Muster.Storage;
using Muster.Storage.Sql;
using Muster.Testing;

namespace Muster.Server.Tests.Protocols;

/// <summary>Two AG-UI requests racing on one new thread id over real HTTP: one run, both streams, never a 500.</summary>
public sealed class AgUiThreadRaceTests
{
    [Fact]
    public async Task TwoRequestsOnOneNewThread_StartOneRun_AndBothStreamItToTheEnd()
    {
        var meeting = new CreateMeeting(2);
        await using var server = await MusterServerFixture.StartAsync(new MusterServerSetup
        {
            Services = services => services.AddSingleton<IRunStore>(sp => MeetingStore.Create(sp.GetRequiredService<SqlRunStore>(), meeting)),
        });
        using var http = server.CreateClient(server.BootstrapToken);
        var threadId = Guid.NewGuid().ToString();

        var both = await Task.WhenAll(RunAsync(http, threadId, "r1"), RunAsync(http, threadId, "r2"));

        foreach (var events in both)
        {
            events[0]["type"]!.GetValue<string>().ShouldBe("RUN_STARTED", string.Join("\n", events));
            events[0]["threadId"]!.GetValue<string>().ShouldBe(threadId);
            events[^1]["type"]!.GetValue<string>().ShouldBe("RUN_FINISHED", string.Join("\n", events));
            events[^1]["outcome"]!["type"]!.GetValue<string>().ShouldBe("success");
        }

        var runs = JsonNode.Parse(await http.GetStringAsync("/api/crew-runs"))!.AsArray();
        runs.ShouldHaveSingleItem()!["id"]!.GetValue<string>().ShouldBe(threadId);
    }

    private static async Task<List<JsonObject>> RunAsync(HttpClient http, string threadId, string runId)
    {
        var body = new JsonObject
        {
            ["threadId"] = threadId,
            ["runId"] = runId,
            ["messages"] = new JsonArray(),
            ["forwardedProps"] = new JsonObject { ["inputs"] = new JsonObject { ["topic"] = "racing tides" } },
        };
        using var response = await http.PostAsync("/crews/research/agui", new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        return [.. text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Select(frame => JsonNode.Parse(frame["data: ".Length..])!.AsObject())];
    }

    /// <summary>Lets run creations through only once <c>count</c> of them have arrived: both requests have then seen no run.</summary>
    internal sealed class CreateMeeting(int count)
    {
        private readonly TaskCompletionSource _met = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _arrived;

        public async Task ArriveAsync()
        {
            if (Interlocked.Increment(ref _arrived) >= count)
            {
                _met.TrySetResult();
            }

            await _met.Task.WaitAsync(Eventually.DefaultLimit);
        }
    }

    /// <summary>The real store, whose <see cref="IRunStore.CreateRunAsync"/> waits at a <see cref="CreateMeeting"/>.</summary>
    public class MeetingStore : DispatchProxy
    {
        private IRunStore _inner = null!;
        private CreateMeeting _meeting = null!;

        internal static IRunStore Create(IRunStore inner, CreateMeeting meeting)
        {
            var proxy = DispatchProxy.Create<IRunStore, MeetingStore>();
            var store = (MeetingStore)(object)proxy;
            store._inner = inner;
            store._meeting = meeting;
            return proxy;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
            targetMethod!.Name == nameof(IRunStore.CreateRunAsync) ? CreateAsync(targetMethod, args) : Forward(targetMethod, args);

        private async Task<CreateRunResult> CreateAsync(MethodInfo method, object?[]? args)
        {
            await _meeting.ArriveAsync();
            return await (Task<CreateRunResult>)Forward(method, args)!;
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
    }
}
