using System.Globalization;
using Muster.Storage;

namespace Muster.Server.Console;

/// <summary>The runs page's filters from its query string; the live feed applies the same ones to what changes.</summary>
internal sealed record RunFilter
{
    private const int MaxLength = 200;
    private const string LocalFormat = "yyyy-MM-dd'T'HH:mm";

    public string? Crew { get; init; }
    public string? Status { get; init; }
    public RunState[]? States { get; init; }
    public string? Owner { get; init; }
    public DateTimeOffset? After { get; init; }
    public DateTimeOffset? Before { get; init; }
    public string? Cursor { get; init; }
    public string? Problem { get; init; }

    public string? AfterText => After?.UtcDateTime.ToString(LocalFormat, CultureInfo.InvariantCulture);
    public string? BeforeText => Before?.UtcDateTime.ToString(LocalFormat, CultureInfo.InvariantCulture);

    public static RunFilter From(IQueryCollection query, bool organization)
    {
        var problems = new List<string>();
        var status = Text(query, "status", problems);
        var states = status is null ? null : ConsoleBackend.StatesFor(status);
        if (status is not null && states is null)
        {
            problems.Add("Status must be one of pending, running, awaiting review, completed, failed, stopped.");
        }

        return new RunFilter
        {
            Crew = Text(query, "crew", problems),
            Status = states is null ? null : status,
            States = states,
            // A user token sees its own runs only; an owner filter from it is moot, not an error.
            Owner = organization ? Text(query, "owner", problems) : null,
            After = Time(query, "after", problems),
            Before = Time(query, "before", problems),
            Cursor = Text(query, "cursor", problems),
            Problem = problems.Count == 0 ? null : string.Join(" ", problems),
        };
    }

    public RunQuery ToQuery(int limit) => new()
    {
        CrewName = Crew,
        States = States,
        OwnerId = Owner,
        CreatedAfter = After,
        CreatedBefore = Before,
        Cursor = Cursor,
        Limit = limit,
    };

    /// <summary>Whether a run (already one the viewer may see) belongs on a page with these filters.</summary>
    public bool Matches(RunRecord run) =>
        (Crew is null || (!run.AdHoc && run.CrewName == Crew))
        && (States is null || States.Contains(run.State))
        && (Owner is null || run.OwnerId == Owner)
        && (After is null || run.CreatedAt > After)
        && (Before is null || run.CreatedAt < Before);

    /// <summary>The filters as query parameters (without the cursor), for page links and the live feed.</summary>
    public IEnumerable<KeyValuePair<string, string?>> Parameters()
    {
        if (Crew is not null)
        {
            yield return new("crew", Crew);
        }

        if (Status is not null)
        {
            yield return new("status", Status);
        }

        if (Owner is not null)
        {
            yield return new("owner", Owner);
        }

        if (AfterText is not null)
        {
            yield return new("after", AfterText);
        }

        if (BeforeText is not null)
        {
            yield return new("before", BeforeText);
        }
    }

    private static string? Text(IQueryCollection query, string name, List<string> problems)
    {
        var value = query[name].ToString();
        if (value.Length == 0)
        {
            return null;
        }

        if (value.Length > MaxLength)
        {
            problems.Add($"The {name} filter takes at most {MaxLength} characters.");
            return null;
        }

        return value;
    }

    /// <summary>The form's datetime-local (taken as UTC, as its label says) or any ISO-8601 time.</summary>
    private static DateTimeOffset? Time(IQueryCollection query, string name, List<string> problems)
    {
        if (Text(query, name, problems) is not { } text)
        {
            return null;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value))
        {
            return value;
        }

        problems.Add($"The {name} filter must be a date and time, e.g. 2026-01-31T12:00.");
        return null;
    }
}
