using System.Globalization;
using System.Text;

namespace Muster.Bench;

/// <summary>One figure: Muster's value, the ceiling measured in the same run (if any), and the goal it is judged by.</summary>
internal sealed record Figure(string Scenario, string Metric, double Value, string Unit, double? Ceiling = null, string? Goal = null, bool? Met = null)
{
    /// <summary>Value over ceiling; for latencies (ms) ceiling over value, so that 1.0 is always "as good as the ceiling".</summary>
    public double? Ratio => Ceiling is { } c && c > 0 && Value > 0 ? (Unit == "ms" ? c / Value : Value / c) : null;
}

/// <summary>Collects figures and notes and prints them as a table (to the console and, if asked, a Markdown file).</summary>
internal sealed class Report
{
    private readonly List<Figure> _figures = [];
    private readonly List<string> _notes = [];

    public void Add(Figure figure)
    {
        _figures.Add(figure);
        Console.WriteLine($"  {figure.Metric,-46} {Format(figure.Value),10} {figure.Unit,-8} ceiling {Format(figure.Ceiling),10}  ratio {Format(figure.Ratio),6}  {figure.Goal} {Verdict(figure)}");
    }

    public void Note(string scenario, string note)
    {
        _notes.Add($"{scenario}: {note}");
        Console.WriteLine($"  note: {note}");
    }

    /// <summary>Printed to the console only: detail for whoever profiles, not part of the recorded table.</summary>
    public static void Detail(string scenario, string detail) => Console.WriteLine($"  {scenario} detail: {detail}");

    public string ToMarkdown(string header)
    {
        var md = new StringBuilder();
        md.AppendLine(header).AppendLine();
        md.AppendLine("| scenario | figure | Muster | ceiling | ratio | goal | met |");
        md.AppendLine("|---|---|---:|---:|---:|---|---|");
        foreach (var f in _figures)
        {
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {f.Scenario} | {f.Metric} | {Format(f.Value)} {f.Unit} | {(f.Ceiling is null ? "" : Format(f.Ceiling) + " " + f.Unit)} | {Format(f.Ratio)} | {f.Goal} | {Verdict(f)} |");
        }

        if (_notes.Count > 0)
        {
            md.AppendLine();
            foreach (var note in _notes)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"- {note}");
            }
        }

        return md.ToString();
    }

    private static string Verdict(Figure f) => f.Met switch { true => "yes", false => "**no**", null => "" };

    private static string Format(double? value) => value switch
    {
        null => "",
        double v when double.IsNaN(v) => "n/a",
        double v when Math.Abs(v) >= 100 => v.ToString("N0", CultureInfo.InvariantCulture),
        double v when Math.Abs(v) >= 10 => v.ToString("0.0", CultureInfo.InvariantCulture),
        double v => v.ToString("0.00", CultureInfo.InvariantCulture),
    };
}
