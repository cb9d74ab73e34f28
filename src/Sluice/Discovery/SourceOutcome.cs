namespace Sluice.Discovery;

public enum SourceOutcome
{
    /// <summary>The source answered with functions (possibly zero, e.g. an empty listing).</summary>
    Found,

    /// <summary>Nothing there to discover (every probe answered 404): looked at again rarely.</summary>
    NothingFound,

    /// <summary>The source is there but broken or refusing (bad document, wrong signature, timeout).</summary>
    Failed,
}
