using Spectre.Console;
using Spectre.Console.Rendering;

namespace Muster.Cli.Infrastructure;

/// <summary>Tables in one style; cells hold server text as plain text, never markup.</summary>
internal static class Tables
{
    public static Table Create(params string[] headers)
    {
        var table = new Table().Border(TableBorder.Simple);
        foreach (var header in headers)
        {
            table.AddColumn(new TableColumn(new Text(header)));
        }

        return table;
    }

    public static IRenderable[] Cells(params string[] values) => [.. values.Select(v => (IRenderable)new Text(v))];
}
