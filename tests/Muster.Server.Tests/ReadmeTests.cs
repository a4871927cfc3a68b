using Muster.Server.Hosting;
using Muster.Server.Telemetry;
using Muster.Server.Webhooks;

namespace Muster.Server.Tests;

/// <summary>README.md's configuration table lists the keys the server sets defaults for or warns about at every start, and its own options' keys.</summary>
public sealed class ReadmeTests
{
    public static TheoryData<string> KeysTheServerNames()
    {
        var keys = new TheoryData<string>
        {
            MusterLogging.RequestsKey,
            $"{WebhookOptions.Section}:{nameof(WebhookOptions.SigningSecret)}",
            $"{TelemetryOptions.SectionName}:{nameof(TelemetryOptions.CaptureContent)}",
            $"{TelemetryOptions.SectionName}:Prometheus:{nameof(PrometheusOptions.Enabled)}",
            $"{TelemetryOptions.SectionName}:Prometheus:{nameof(PrometheusOptions.Open)}",
        };
        foreach (var key in MusterLogging.Defaults.Keys)
        {
            keys.Add(key);
        }

        return keys;
    }

    [Theory]
    [MemberData(nameof(KeysTheServerNames))]
    public void TheConfigurationTable_ListsTheKey(string key)
    {
        var rows = File.ReadAllLines(Path.Combine(RepositoryRoot(), "README.md"))
            .SkipWhile(line => line != "## Configuration")
            .Where(line => line.StartsWith("| `", StringComparison.Ordinal));

        rows.ShouldContain(row => row.Split('|')[1].Contains($"`{key}`", StringComparison.Ordinal), $"README.md's configuration table has no row for {key}");
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Muster.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Muster.slnx not found above " + AppContext.BaseDirectory);
    }
}
