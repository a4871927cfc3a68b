namespace Muster.Bench.Tests;

/// <summary>Where this checkout is, and which build configuration these tests (and so the builds they start) are.</summary>
internal static class TestRepo
{
    public static string Root { get; } = FindRoot();

    /// <summary>The configuration of this test assembly's own build: <c>…/bin/Release/net10.0/</c> gives Release.</summary>
    public static string Configuration { get; } =
        new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;

    private static string FindRoot()
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
