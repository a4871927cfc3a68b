using System.Diagnostics;

namespace Muster.Bench;

/// <summary>The machine and commit a run is recorded against.</summary>
internal static class Machine
{
    public static string Describe(string repo)
    {
        var cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU";
        var memory = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal)).Split(':', 2)[1].Trim();
        var memoryGiB = long.Parse(memory.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) / 1024.0 / 1024.0;
        var load = File.ReadAllText("/proc/loadavg").Split(' ')[0];
        return $"commit {Commit(repo)}, {Environment.ProcessorCount} cores ({cpu}), {memoryGiB:0.0} GiB, load average {load} at start";
    }

    private static string Commit(string repo)
    {
        try
        {
            var info = new ProcessStartInfo("git", ["-C", repo, "rev-parse", "--short", "HEAD"]) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var git = Process.Start(info)!;
            var hash = git.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit();
            var dirty = Process.Start(new ProcessStartInfo("git", ["-C", repo, "status", "--porcelain", "--untracked-files=no"]) { RedirectStandardOutput = true })!;
            var changes = dirty.StandardOutput.ReadToEnd().Trim();
            dirty.WaitForExit();
            return changes.Length > 0 ? hash + "+changes" : hash;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "unknown";
        }
    }
}
