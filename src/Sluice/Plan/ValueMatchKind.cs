namespace Sluice.Plan;

public enum ValueMatchKind
{
    Present,
    Exact,
    Regex,
}
