namespace Muster.Cli.Tests;

/// <summary>A test that needs PostgreSQL: <c>MUSTER_TEST_PG</c> (set by <c>eval "$(scripts/postgres.sh)"</c>); skipped, saying why, without it.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PostgresFactAttribute : FactAttribute
{
    public const string Variable = "MUSTER_TEST_PG";

    public PostgresFactAttribute()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Variable)))
        {
            Skip = $"{Variable} is not set: start a throwaway server with eval \"$(scripts/postgres.sh)\".";
        }
    }
}
