using Microsoft.Extensions.Options;
using Npgsql;

namespace Muster.Storage;

/// <summary>
/// Checks <c>Muster:Storage</c> when the options are first built (at start, through <c>ValidateOnStart</c>), so that a
/// wrong setting stops the server with a message that names the fix. No message echoes the connection string, since it may
/// carry a password.
/// </summary>
internal sealed class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    private const string PostgresExample = "for example Host=db.internal;Database=muster;Username=muster;Password=... " +
        "(or the environment variable Muster__Storage__ConnectionString)";

    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        var failures = new List<string>();
        var provider = StorageOptions.ProviderNamed(options.Provider);
        if (provider is null)
        {
            failures.Add($"Unknown Muster:Storage:Provider '{options.Provider}'. Use '{StorageOptions.Sqlite}' (default) or '{StorageOptions.Postgres}'.");
        }

        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            failures.Add("Muster:Storage:ConnectionString is empty; set it to a SQLite or Npgsql connection string.");
        }
        else if (provider == StorageOptions.Postgres && PostgresConnectionStringProblem(options.ConnectionString) is { } problem)
        {
            failures.Add(problem);
        }

        if (options.RequestWriteTimeout <= TimeSpan.Zero)
        {
            failures.Add("Muster:Storage:RequestWriteTimeout must be positive (for example 00:00:10).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static string? PostgresConnectionStringProblem(string connectionString)
    {
        // The SQLite default must not reach Npgsql: say what to set instead.
        if (connectionString == StorageOptions.DefaultConnectionString)
        {
            return $"Muster:Storage:Provider is postgres but Muster:Storage:ConnectionString is not set; set it to an Npgsql connection string, {PostgresExample}.";
        }

        try
        {
            _ = new NpgsqlConnectionStringBuilder(connectionString);
            return null;
        }
        catch (ArgumentException ex)
        {
            return $"Muster:Storage:ConnectionString is not a valid Npgsql connection string ({ex.Message}); {PostgresExample}.";
        }
    }
}
