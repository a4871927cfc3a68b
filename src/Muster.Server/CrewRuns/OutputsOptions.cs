using System.Data.Common;
using Muster.Storage;

namespace Muster.Server.CrewRuns;

/// <summary><c>Muster:Outputs</c>: where runs' <c>output_file</c>s are kept, one folder per run.</summary>
public sealed class OutputsOptions
{
    public const string Section = "Muster:Outputs";

    /// <summary>The folder (relative to the working directory); by default <c>outputs</c> beside the SQLite database, or in the working directory with PostgreSQL.</summary>
    public string? Path { get; set; }

    internal string Resolve(StorageOptions storage)
    {
        if (!string.IsNullOrWhiteSpace(Path))
        {
            return System.IO.Path.GetFullPath(Path);
        }

        // Relative database paths are relative to the working directory, as Microsoft.Data.Sqlite reads them.
        var database = storage.Provider.Equals(StorageOptions.Sqlite, StringComparison.OrdinalIgnoreCase) ? SqliteFile(storage.ConnectionString) : null;
        var beside = database is null ? Directory.GetCurrentDirectory() : System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(database))!;
        return System.IO.Path.Combine(beside, "outputs");
    }

    private static string? SqliteFile(string connectionString)
    {
        var builder = new DbConnectionStringBuilder { ConnectionString = connectionString };
        foreach (var key in new[] { "Data Source", "DataSource", "Filename" })
        {
            if (builder.TryGetValue(key, out var value) && value is string file && file.Length > 0 && !file.Equals(":memory:", StringComparison.Ordinal) &&
                !file.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
            {
                return file;
            }
        }

        return null;
    }
}
