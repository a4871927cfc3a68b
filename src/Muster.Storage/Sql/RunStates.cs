namespace Muster.Storage.Sql;

/// <summary>The text a <see cref="RunState"/> is stored as (readable in a SQL shell, stable across enum reorders).</summary>
internal static class RunStates
{
    public const string Pending = "pending";
    public const string Running = "running";
    public const string AwaitingHuman = "awaiting_human";
    public const string Finished = "('completed', 'failed', 'stopped')";

    public static string ToText(RunState state) => state switch
    {
        RunState.Pending => Pending,
        RunState.Running => Running,
        RunState.AwaitingHuman => AwaitingHuman,
        RunState.Completed => "completed",
        RunState.Failed => "failed",
        RunState.Stopped => "stopped",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "Unknown run state."),
    };

    public static RunState Parse(string text) => text switch
    {
        Pending => RunState.Pending,
        Running => RunState.Running,
        AwaitingHuman => RunState.AwaitingHuman,
        "completed" => RunState.Completed,
        "failed" => RunState.Failed,
        "stopped" => RunState.Stopped,
        _ => throw new InvalidOperationException($"Unknown stored run state '{text}'."),
    };

    public static string ToText(DeliveryState state) => state switch
    {
        DeliveryState.Pending => Pending,
        DeliveryState.Delivered => "delivered",
        DeliveryState.Failed => "failed",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "Unknown delivery state."),
    };

    public static DeliveryState ParseDelivery(string text) => text switch
    {
        Pending => DeliveryState.Pending,
        "delivered" => DeliveryState.Delivered,
        "failed" => DeliveryState.Failed,
        _ => throw new InvalidOperationException($"Unknown stored delivery state '{text}'."),
    };
}
