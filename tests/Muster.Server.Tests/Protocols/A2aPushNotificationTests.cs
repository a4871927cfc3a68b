using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Muster.Server.Tests.Webhooks;
using Muster.Testing;

namespace Muster.Server.Tests.Protocols;

/// <summary>
/// A2A push notification configs over real HTTP, delivered by the webhook outbox to a loopback receiver: signed, with the
/// config's token and credentials, for each change of the task's state.
/// </summary>
public sealed class A2aPushNotificationTests : IAsyncLifetime
{
    private readonly WebhookTestServer _server = new(path =>
    {
        TestCrews.WriteTwoTaskCrew(path);
        TestCrews.WriteReviewCrew(path);
    });

    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await WebhookReceiver.StartAsync();

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        _server.Dispose();
    }

    [Fact]
    public async Task AConfigInSendMessage_ReceivesSignedTaskUpdatesWithItsTokenAndCredentials_ThroughToCompleted()
    {
        await using var muster = await _server.StartAsync();
        using var http = muster.CreateClient(muster.BootstrapToken);

        var sent = await RpcAsync(http, "research", "SendMessage", new JsonObject
        {
            ["message"] = Message(new JsonObject { ["data"] = new JsonObject { ["topic"] = "tidal energy" } }),
            ["configuration"] = new JsonObject
            {
                ["taskPushNotificationConfig"] = new JsonObject
                {
                    ["url"] = _receiver.Url("a2a"),
                    ["token"] = "task-token-1",
                    ["authentication"] = new JsonObject { ["scheme"] = "Bearer", ["credentials"] = "client-secret" },
                },
            },
        });

        var task = sent["result"]!["task"]!;
        task["status"]!["state"]!.GetValue<string>().ShouldBe("TASK_STATE_COMPLETED", sent.ToJsonString());
        var received = await _receiver.WaitForAcceptedAsync(2);
        received.Select(w => w.Json()["task"]!["status"]!["state"]!.GetValue<string>()).ShouldBe(["TASK_STATE_WORKING", "TASK_STATE_COMPLETED"]);
        foreach (var webhook in received)
        {
            webhook.ShouldBeSignedWith(WebhookTestServer.Secret);
            webhook.Header("X-A2A-Notification-Token").ShouldBe("task-token-1");
            webhook.Header("Authorization").ShouldBe("Bearer client-secret");
            webhook.Json()["task"]!["id"]!.GetValue<string>().ShouldBe(task["id"]!.GetValue<string>());
        }

        received[^1].Json()["task"]!["artifacts"]![0]!["parts"]![0]!["text"]!.GetValue<string>().ShouldNotBeNullOrWhiteSpace();
    }

    [Fact]
    public async Task AV03ConfigOnAReviewTask_GetsInputRequired_AndIsListedAndReadInV03Shapes()
    {
        await using var muster = await _server.StartAsync();
        using var http = muster.CreateClient(muster.BootstrapToken);

        var sent = await RpcAsync(http, "support", "message/send", new JsonObject
        {
            ["message"] = new JsonObject
            {
                ["kind"] = "message", ["messageId"] = "m1", ["role"] = "user",
                ["parts"] = new JsonArray(new JsonObject { ["kind"] = "text", ["text"] = "Where is my parcel?" }),
            },
            ["configuration"] = new JsonObject { ["pushNotificationConfig"] = new JsonObject { ["id"] = "review-hook", ["url"] = _receiver.Url("review"), ["token"] = "t-03" } },
        });

        var taskId = sent["result"]!["id"]!.GetValue<string>();
        sent["result"]!["status"]!["state"]!.GetValue<string>().ShouldBe("input-required", sent.ToJsonString());
        var paused = (await _receiver.WaitForAcceptedAsync(1, w => w.Json()["status"]!["state"]!.GetValue<string>() == "input-required")).Single();
        paused.ShouldBeSignedWith(WebhookTestServer.Secret);
        paused.Header("X-A2A-Notification-Token").ShouldBe("t-03");
        paused.Json()["kind"]!.GetValue<string>().ShouldBe("task");
        paused.Json()["status"]!["message"]!["parts"]![0]!["text"]!.GetValue<string>().ShouldContain("awaits review");

        var listed = await RpcAsync(http, "support", "tasks/pushNotificationConfig/list", new JsonObject { ["id"] = taskId });
        var only = listed["result"]!.AsArray().ShouldHaveSingleItem()!;
        only["taskId"]!.GetValue<string>().ShouldBe(taskId);
        only["pushNotificationConfig"]!["id"]!.GetValue<string>().ShouldBe("review-hook");
        only["pushNotificationConfig"]!["url"]!.GetValue<string>().ShouldBe(_receiver.Url("review"));
        var read = await RpcAsync(http, "support", "tasks/pushNotificationConfig/get", new JsonObject { ["id"] = taskId, ["pushNotificationConfigId"] = "review-hook" });
        read["result"]!["pushNotificationConfig"]!["token"]!.GetValue<string>().ShouldBe("t-03");
    }

    [Fact]
    public async Task DeletingAConfig_StopsItsDeliveries_WhileTheOthersGoOnToCompleted()
    {
        await using var muster = await _server.StartAsync();
        using var http = muster.CreateClient(muster.BootstrapToken);
        var sent = await RpcAsync(http, "support", "SendMessage", new JsonObject
        {
            ["message"] = Message(new JsonObject { ["text"] = "Where is my parcel?" }),
            ["configuration"] = new JsonObject { ["taskPushNotificationConfig"] = new JsonObject { ["id"] = "first", ["url"] = _receiver.Url("first") } },
        });
        var taskId = sent["result"]!["task"]!["id"]!.GetValue<string>();
        sent["result"]!["task"]!["status"]!["state"]!.GetValue<string>().ShouldBe("TASK_STATE_INPUT_REQUIRED", sent.ToJsonString());

        var created = await RpcAsync(http, "support", "CreateTaskPushNotificationConfig", new JsonObject
        {
            ["taskId"] = taskId, ["url"] = _receiver.Url("second"), ["authentication"] = new JsonObject { ["scheme"] = "Basic", ["credentials"] = "dXNlcjpwYXNz" },
        });
        var secondId = created["result"]!["id"]!.GetValue<string>();
        created["result"]!["taskId"]!.GetValue<string>().ShouldBe(taskId);
        var listed = await RpcAsync(http, "support", "ListTaskPushNotificationConfigs", new JsonObject { ["taskId"] = taskId });
        listed["result"]!["configs"]!.AsArray().Select(c => c!["id"]!.GetValue<string>()).ShouldBe(["first", secondId]);
        var read = await RpcAsync(http, "support", "GetTaskPushNotificationConfig", new JsonObject { ["taskId"] = taskId, ["id"] = secondId });
        read["result"]!["authentication"]!["scheme"]!.GetValue<string>().ShouldBe("Basic");
        (await RpcAsync(http, "support", "DeleteTaskPushNotificationConfig", new JsonObject { ["taskId"] = taskId, ["id"] = "first" }))["error"].ShouldBeNull();
        (await RpcAsync(http, "support", "DeleteTaskPushNotificationConfig", new JsonObject { ["taskId"] = taskId, ["id"] = "first" }))["error"].ShouldBeNull();

        var resumed = await RpcAsync(http, "support", "SendMessage", new JsonObject { ["message"] = Message(new JsonObject { ["text"] = "approve" }, taskId) });

        resumed["result"]!["task"]!["status"]!["state"]!.GetValue<string>().ShouldBe("TASK_STATE_COMPLETED", resumed.ToJsonString());
        var second = await _receiver.WaitForAcceptedAsync(2, w => w.Path == "/second");
        second.Select(w => w.Json()["task"]!["status"]!["state"]!.GetValue<string>()).ShouldBe(["TASK_STATE_WORKING", "TASK_STATE_COMPLETED"]);
        second.ShouldAllBe(w => w.Header("Authorization") == "Basic dXNlcjpwYXNz");
        // The outbox holds every delivery the run caused: the deleted config's end with the pause.
        var deliveries = await http.WaitForDeliveriesSettledAsync(Guid.Parse(taskId), atLeast: 3);
        deliveries.Where(d => d!["url"]!.GetValue<string>() == _receiver.Url("first")).Count().ShouldBe(2, deliveries.ToJsonString());
        deliveries.All(d => d!["kind"]!.GetValue<string>() == "a2a_push").ShouldBeTrue();
    }

    [Fact]
    public async Task AConfigCreatedWhileTheTaskRuns_IsSentItsCompletion()
    {
        await using var muster = await _server.StartAsync();
        using var http = muster.CreateClient(muster.BootstrapToken);
        using var hold = AnswerHold.About(muster.Simulator, "held tides");
        var sent = await RpcAsync(http, "research", "SendMessage", new JsonObject
        {
            ["message"] = Message(new JsonObject { ["data"] = new JsonObject { ["topic"] = "held tides" } }),
            ["configuration"] = new JsonObject { ["returnImmediately"] = true },
        });
        var taskId = sent["result"]!["task"]!["id"]!.GetValue<string>();
        await hold.WaitForCallAsync();

        var created = await RpcAsync(http, "research", "CreateTaskPushNotificationConfig", new JsonObject { ["taskId"] = taskId, ["url"] = _receiver.Url("late") });
        created["error"].ShouldBeNull(created.ToJsonString());
        hold.Release();

        var completed = (await _receiver.WaitForAcceptedAsync(1, w => w.Json()["task"]!["status"]!["state"]!.GetValue<string>() == "TASK_STATE_COMPLETED")).Single();
        completed.Json()["task"]!["id"]!.GetValue<string>().ShouldBe(taskId);
    }

    [Fact]
    public async Task OnlyTheTasksOwner_ReachesItsConfigs()
    {
        await using var muster = await _server.StartAsync();
        using var org = muster.CreateClient(muster.BootstrapToken);
        using var alice = muster.CreateClient(await org.CreateTokenAsync("user", "alice"));
        using var bob = muster.CreateClient(await org.CreateTokenAsync("user", "bob"));
        var sent = await RpcAsync(alice, "research", "SendMessage", new JsonObject
        {
            ["message"] = Message(new JsonObject { ["data"] = new JsonObject { ["topic"] = "alice's tides" } }),
            ["configuration"] = new JsonObject { ["taskPushNotificationConfig"] = new JsonObject { ["id"] = "mine", ["url"] = _receiver.Url("alice") } },
        });
        var taskId = sent["result"]!["task"]!["id"]!.GetValue<string>();

        Code(await RpcAsync(bob, "research", "CreateTaskPushNotificationConfig", new JsonObject { ["taskId"] = taskId, ["url"] = _receiver.Url("bob") })).ShouldBe(-32001);
        Code(await RpcAsync(bob, "research", "GetTaskPushNotificationConfig", new JsonObject { ["taskId"] = taskId, ["id"] = "mine" })).ShouldBe(-32001);
        Code(await RpcAsync(bob, "research", "ListTaskPushNotificationConfigs", new JsonObject { ["taskId"] = taskId })).ShouldBe(-32001);
        Code(await RpcAsync(bob, "research", "DeleteTaskPushNotificationConfig", new JsonObject { ["taskId"] = taskId, ["id"] = "mine" })).ShouldBe(-32001);
        var listed = await RpcAsync(alice, "research", "ListTaskPushNotificationConfigs", new JsonObject { ["taskId"] = taskId });
        listed["result"]!["configs"]!.AsArray().Select(c => c!["url"]!.GetValue<string>()).ShouldBe([_receiver.Url("alice")]);
    }

    [Fact]
    public async Task AUrlTheSsrfRulesRefuse_IsInvalidParams_AndStartsNoRun()
    {
        await using var muster = await _server.StartAsync(allowPrivateNetworks: false);
        using var http = muster.CreateClient(muster.BootstrapToken);

        var refused = await RpcAsync(http, "research", "SendMessage", new JsonObject
        {
            ["message"] = Message(new JsonObject { ["data"] = new JsonObject { ["topic"] = "tides" } }),
            ["configuration"] = new JsonObject { ["taskPushNotificationConfig"] = new JsonObject { ["url"] = "http://127.0.0.1:9/hook" } },
        });
        var notHttp = await RpcAsync(http, "research", "SendMessage", new JsonObject
        {
            ["message"] = Message(new JsonObject { ["data"] = new JsonObject { ["topic"] = "tides" } }),
            ["configuration"] = new JsonObject { ["taskPushNotificationConfig"] = new JsonObject { ["url"] = "file:///etc/passwd" } },
        });

        Code(refused).ShouldBe(-32602);
        refused["error"]!["message"]!.GetValue<string>().ShouldContain("push notification URL is refused");
        Code(notHttp).ShouldBe(-32602);
        notHttp["error"]!["message"]!.GetValue<string>().ShouldContain("http or https");
        (await http.GetStringAsync("/api/crew-runs")).ShouldBe("[]");

        var started = await RpcAsync(http, "research", "SendMessage", new JsonObject
        {
            ["message"] = Message(new JsonObject { ["data"] = new JsonObject { ["topic"] = "tides" } }),
            ["configuration"] = new JsonObject { ["returnImmediately"] = true },
        });
        var created = await RpcAsync(http, "research", "CreateTaskPushNotificationConfig", new JsonObject
        {
            ["taskId"] = started["result"]!["task"]!["id"]!.GetValue<string>(), ["url"] = "http://169.254.169.254/latest/meta-data",
        });
        Code(created).ShouldBe(-32602);
        created["error"]!["message"]!.GetValue<string>().ShouldContain("push notification URL is refused");
    }

    [Fact]
    public async Task TheAgentCard_SaysItPushesNotifications()
    {
        await using var muster = await _server.StartAsync();
        using var http = muster.CreateClient(muster.BootstrapToken);

        var (status, card) = await http.GetJsonAsync("/crews/research/.well-known/agent-card.json");

        status.ShouldBe(HttpStatusCode.OK);
        card["capabilities"]!["pushNotifications"]!.GetValue<bool>().ShouldBeTrue();
    }

    private static JsonObject Message(JsonObject part, string? taskId = null)
    {
        var message = new JsonObject { ["messageId"] = Guid.NewGuid().ToString(), ["role"] = "ROLE_USER", ["parts"] = new JsonArray(part) };
        if (taskId is not null)
        {
            message["taskId"] = taskId;
        }

        return message;
    }

    private static async Task<JsonObject> RpcAsync(HttpClient http, string crew, string method, JsonObject parameters)
    {
        var body = new JsonObject { ["jsonrpc"] = "2.0", ["id"] = 1, ["method"] = method, ["params"] = parameters };
        using var response = await http.PostAsync($"/crews/{crew}/a2a", new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        return JsonNode.Parse(text)!.AsObject();
    }

    private static int? Code(JsonObject response) => response["error"]?["code"]?.GetValue<int>();
}
