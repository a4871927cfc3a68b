using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Muster.Bench.Micro -- --filter '*' [--job short] [--inProcess]
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
