using System.ComponentModel.DataAnnotations;

namespace Muster.Server.CrewRuns;

/// <summary><c>Muster:Retention</c>: how long finished runs are kept. Without <see cref="Days"/> nothing is purged.</summary>
public sealed class RetentionOptions
{
    public const string Section = "Muster:Retention";

    /// <summary>Finished runs completed more than this many days ago are deleted; fractions allowed.</summary>
    [Range(0.0, 36500.0, MinimumIsExclusive = true)]
    public double? Days { get; set; }

    /// <summary>How often the purge runs.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "7.00:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);
}
