using Xunit;

namespace Muster.Testing;

/// <summary>
/// A test that needs a PostgreSQL server: <c>MUSTER_TEST_PG</c> (exported by <c>eval "$(scripts/postgres.sh)"</c>, which
/// <c>scripts/test.sh</c> runs); reported as skipped, saying why, without it.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PostgresFactAttribute : FactAttribute
{
    public const string Variable = ThrowawaySchema.Variable;

    public PostgresFactAttribute()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Variable)))
        {
            Skip = $"{Variable} is not set: start a throwaway server with eval \"$(scripts/postgres.sh)\".";
        }
    }
}
