namespace Sluice.Plan;

public enum PathMatchKind
{
    Prefix,
    Exact,
    Regex,
}
