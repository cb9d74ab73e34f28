namespace Sluice.Plan;

/// <summary>What a route filter did with a request.</summary>
public enum FilterResult
{
    /// <summary>Hand the request on to the next filter.</summary>
    Continue,

    /// <summary>The request is answered (or failed with a <see cref="SluiceError"/>): no later filter runs.</summary>
    Answered,
}
