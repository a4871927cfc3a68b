using Muster.Bench;

// One executable, three roles: the orchestrator (`run`) starts the other two as separate processes so that the
// load generator, the LLM simulator and the ceiling app never share a thread pool with each other or the server.
return args.FirstOrDefault() switch
{
    "run" => await RunAsync(args[1..]),
    "simulator" => await Roles.SimulatorAsync(args[1..]),
    "ceiling" => await Roles.CeilingAsync(args[1..]),
    _ => Usage(),
};

// A mistyped option gets its message and the usage, not a stack trace.
static async Task<int> RunAsync(string[] args)
{
    BenchSettings settings;
    try
    {
        settings = BenchSettings.Parse(args);
    }
    catch (ArgumentException ex)
    {
        Console.Error.WriteLine(ex.Message);
        return Usage();
    }

    return await Harness.RunAsync(settings);
}

static int Usage()
{
    Console.Error.WriteLine("""
        usage: Muster.Bench run [--quick|--full] [--scenarios 1,2,3,4,5] [--storage sqlite|postgres]
                                [--connection-string CS] [--nodes N] [--repo PATH] [--markdown FILE]
                                [--server PATH/Muster.Server.dll] [--server-env KEY=VALUE]...
                                [--max-concurrent-runs N] [--runs N] [--warm-up-runs N]
               Muster.Bench simulator [--latency-ms N]      (reads 'latency N' lines on stdin)
               Muster.Bench ceiling --body-dir DIR           (GET or POST /NAME answers DIR/NAME.json)
        """);
    return 2;
}
