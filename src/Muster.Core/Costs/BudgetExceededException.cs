using Muster.Core.Engine;

namespace Muster.Core.Costs;

/// <summary>
/// A run reached one of its limits: the run stops at once and ends failed with <see cref="Exception.Message"/> as its error,
/// after a <see cref="CrewBudgetExceeded"/> event (<see cref="Event"/>). No catch on the way out may take it for a failing tool.
/// </summary>
public sealed class BudgetExceededException(CrewBudgetExceeded exceeded) : Exception(exceeded.Error)
{
    /// <summary>The event that says which limit, at what spend.</summary>
    public CrewBudgetExceeded Event { get; } = exceeded;

    /// <summary>Whether <paramref name="exception"/> is, or wraps, a budget stop.</summary>
    public static bool IsIn(Exception? exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is BudgetExceededException)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The budget stop <paramref name="exception"/> is or wraps; null when none.</summary>
    public static BudgetExceededException? Find(Exception? exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is BudgetExceededException budget)
            {
                return budget;
            }
        }

        return null;
    }
}
