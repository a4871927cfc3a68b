namespace Muster.Bench.Tests;

public sealed class ReportTests
{
    [Theory]
    [InlineData(500, "req/s", 1_000, 0.5)]
    [InlineData(3_000, "tasks/s", 1_500, 2)]
    [InlineData(2, "ms", 1, 0.5)]
    [InlineData(0.5, "ms", 2, 4)]
    public void Ratio_IsValueOverCeiling_ButCeilingOverValueForMilliseconds(double value, string unit, double ceiling, double ratio) =>
        new Figure("1", "figure", value, unit, ceiling).Ratio.ShouldBe(ratio);

    [Theory]
    [InlineData(5, null)]
    [InlineData(5, 0.0)]
    [InlineData(0, 5.0)]
    [InlineData(double.NaN, 5.0)]
    [InlineData(5, double.NaN)]
    public void Ratio_IsNull_WithoutACeilingOrWithAZero(double value, double? ceiling)
    {
        new Figure("1", "figure", value, "req/s", ceiling).Ratio.ShouldBeNull();
        new Figure("1", "figure", value, "ms", ceiling).Ratio.ShouldBeNull();
    }

    [Fact]
    public void ToMarkdown_WritesAHeaderRow_ARowPerFigure_AndTheNotes()
    {
        var report = new Report();
        report.Add(new Figure("1", "status reads/s", 12_345.6, "req/s", 20_000, "≥ 10,000", true));
        report.Add(new Figure("3", "status p99", 12.34, "ms", 1.5, "< 10 ms", false));
        report.Add(new Figure("2", "tasks/s", 1_500, "tasks/s", 100));
        report.Add(new Figure("5", "GC pauses, share of the time", double.NaN, "%"));
        report.Note("2", "1,000 of 1,000 runs completed");
        report.Note("5", "no dotnet-counters");

        var markdown = report.ToMarkdown("Run 2026-01-01");

        markdown.ShouldBe("""
            Run 2026-01-01

            | scenario | figure | Muster | ceiling | ratio | goal | met |
            |---|---|---:|---:|---:|---|---|
            | 1 | status reads/s | 12,346 req/s | 20,000 req/s | 0.62 | ≥ 10,000 | yes |
            | 3 | status p99 | 12.3 ms | 1.50 ms | 0.12 | < 10 ms | **no** |
            | 2 | tasks/s | 1,500 tasks/s | 100 tasks/s | 15.0 |  |  |
            | 5 | GC pauses, share of the time | n/a % |  |  |  |  |

            - 2: 1,000 of 1,000 runs completed
            - 5: no dotnet-counters

            """);
    }

    [Fact]
    public void ToMarkdown_WithoutNotes_EndsAfterTheRows()
    {
        var report = new Report();
        report.Add(new Figure("4", "mixed, p50", 0.8, "ms"));

        report.ToMarkdown("header").ShouldBe("""
            header

            | scenario | figure | Muster | ceiling | ratio | goal | met |
            |---|---|---:|---:|---:|---|---|
            | 4 | mixed, p50 | 0.80 ms |  |  |  |  |

            """);
    }

    [Fact]
    public void ToMarkdown_WithOneNote_ListsIt()
    {
        var report = new Report();
        report.Add(new Figure("4", "mixed, p50", 0.8, "ms"));
        report.Note("4", "one note");

        report.ToMarkdown("header").ShouldEndWith("| 4 | mixed, p50 | 0.80 ms |  |  |  |  |\n\n- 4: one note\n", Case.Sensitive);
    }

    [Theory]
    [InlineData(1_234_567.8, "1,234,568")]
    [InlineData(1_234.4, "1,234")]
    [InlineData(100, "100")]
    [InlineData(-250, "-250")]
    [InlineData(99.94, "99.9")]
    [InlineData(10, "10.0")]
    [InlineData(-12.34, "-12.3")]
    [InlineData(9.994, "9.99")]
    [InlineData(1, "1.00")]
    [InlineData(0, "0.00")]
    [InlineData(double.NaN, "n/a")]
    public void Numbers_HaveNoDecimalsFrom100_OneFrom10_TwoBelow(double value, string shown)
    {
        var report = new Report();
        report.Add(new Figure("1", "figure", value, "unit"));

        var row = report.ToMarkdown("h").Split('\n').Single(l => l.StartsWith("| 1 |", StringComparison.Ordinal));

        row.ShouldBe($"| 1 | figure | {shown} unit |  |  |  |  |");
    }
}
