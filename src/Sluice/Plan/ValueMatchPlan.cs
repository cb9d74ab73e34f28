using System.Text.RegularExpressions;

namespace Sluice.Plan;

/// <summary>A header or query-parameter condition: present, equal to a value, or matching a regex.</summary>
public sealed record ValueMatchPlan(string Name, ValueMatchKind Kind, string Value)
{
    /// <summary>Anchored regex when <see cref="Kind"/> is Regex.</summary>
    public Regex? Regex { get; init; }
}
