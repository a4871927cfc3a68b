using Muster.Core.Crews;
using Muster.Core.Outputs;

namespace Muster.Core.Tests;

public sealed class OutputFilesTests
{
    private const string OneAgent = "writer:\n  role: Writer\n  goal: Write\n  backstory: Writes things\n";

    [Theory]
    [InlineData("../escape.md", "without '..'")]
    [InlineData("/etc/passwd", "without '..'")]
    [InlineData("reports/../../x.md", "without '..'")]
    [InlineData("C:/x.md", "without '..'")]
    [InlineData("reports/", "must name a file")]
    public void LoadFolder_OutputFileLeavingTheRunFolder_IsAnErrorOnItsLine(string path, string message)
    {
        using var folder = new TempFolder();
        folder.Write("agents.yaml", OneAgent);
        folder.Write("tasks.yaml", $"t:\n  description: D\n  expected_output: E\n  agent: writer\n  output_file: \"{path}\"\n");

        var result = CrewLoader.LoadFolder(folder.Path);

        result.Crew.ShouldBeNull();
        var error = result.Errors.ShouldHaveSingleItem();
        (error.Line, error.Message.Contains(message, StringComparison.Ordinal)).ShouldBe((5, true), error.Message);
    }

    [Fact]
    public void LoadFolder_OutputFileWithPlaceholder_LoadsAndIsCheckedAgainAfterInterpolation()
    {
        using var folder = new TempFolder();
        folder.Write("agents.yaml", OneAgent);
        folder.Write("tasks.yaml", "t:\n  description: D\n  expected_output: E\n  agent: writer\n  output_file: \"reports/{topic}.md\"\n");
        var crew = CrewLoader.LoadFolder(folder.Path).Crew.ShouldNotBeNull();

        OutputFiles.EnsureAllowed(CrewInterpolator.Interpolate(crew, new() { ["topic"] = "owls" }));
        var refused = Should.Throw<OutputFileRefusedException>(() => OutputFiles.EnsureAllowed(CrewInterpolator.Interpolate(crew, new() { ["topic"] = "../../etc/cron" })));

        refused.Task.ShouldBe("t");
        refused.Message.ShouldContain("reports/../../etc/cron.md");
    }

    [Fact]
    public void Resolve_PathThroughASymlink_IsRefused()
    {
        using var root = new TempFolder();
        using var outside = new TempFolder();
        var runId = Guid.NewGuid();
        Directory.CreateDirectory(OutputFiles.RunFolder(root.Path, runId));
        Directory.CreateSymbolicLink(Path.Combine(OutputFiles.RunFolder(root.Path, runId), "reports"), outside.Path);

        var ex = Should.Throw<InvalidOperationException>(() => OutputFiles.Resolve(root.Path, runId, "reports/out.md"));

        ex.Message.ShouldContain("symbolic link");
        OutputFiles.Resolve(root.Path, runId, "other/out.md").ShouldBe(Path.Combine(OutputFiles.RunFolder(root.Path, runId), "other", "out.md"));
    }

    [Fact]
    public async Task WriteAsync_OverAnEarlierFile_ReplacesItWholeAndLeavesNoTemporaryFile()
    {
        using var root = new TempFolder();
        var runId = Guid.NewGuid();
        var path = OutputFiles.Resolve(root.Path, runId, "out.md");

        await OutputFiles.WriteAsync(path, "first attempt, before the restart", CancellationToken.None);
        await OutputFiles.WriteAsync(path, "second", CancellationToken.None);

        File.ReadAllText(path).ShouldBe("second");
        OutputFiles.List(root.Path, runId).Select(f => f.Name).ShouldBe(["out.md"]);
        Directory.GetFiles(root.Path, "*", SearchOption.AllDirectories).ShouldBe([path]);
    }

    [Fact]
    public void DeleteRun_RemovesTheRunsFolderOnly()
    {
        using var root = new TempFolder();
        var (kept, deleted) = (Guid.NewGuid(), Guid.NewGuid());
        root.Write($"{kept}/a.md", "a");
        root.Write($"{deleted}/b/c.md", "c");

        OutputFiles.DeleteRun(root.Path, deleted);

        Directory.Exists(OutputFiles.RunFolder(root.Path, deleted)).ShouldBeFalse();
        File.Exists(OutputFiles.Resolve(root.Path, kept, "a.md")).ShouldBeTrue();
    }
}
