namespace Muster.Server.Webhooks;

/// <summary>The <see cref="Muster.Storage.NewDelivery.Kind"/> values.</summary>
internal static class WebhookKinds
{
    public const string Step = "step";
    public const string Task = "task";
    public const string Crew = "crew";
    public const string HumanInput = "human_input";
    /// <summary>One event of a batched stream; the dispatcher sends consecutive ones together.</summary>
    public const string Events = "events";
    /// <summary>One event of a realtime stream, sent alone (still wrapped as <c>{"events": [...]}</c>).</summary>
    public const string Event = "event";

    /// <summary>An A2A push notification: the task, POSTed to a config of the task with the config's headers.</summary>
    public const string A2aPush = "a2a_push";

    public static bool IsStream(string kind) => kind is Events or Event;
}
