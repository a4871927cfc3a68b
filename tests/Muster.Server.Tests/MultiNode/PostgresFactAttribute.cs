namespace Muster.Server.Tests.MultiNode;

/// <summary>A fact that needs a PostgreSQL server: reported as skipped, with the reason, when <c>MUSTER_TEST_PG</c> is unset.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PostgresFactAttribute : FactAttribute
{
    public const string Variable = "MUSTER_TEST_PG";

    public PostgresFactAttribute()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Variable)))
        {
            Skip = $"{Variable} is not set: start a throwaway server with eval \"$(scripts/postgres.sh)\" to run the multi-node tests";
        }
    }
}
