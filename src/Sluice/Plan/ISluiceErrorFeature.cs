namespace Sluice.Plan;

/// <summary>
/// The gateway's own failure for this request, as YARP's <c>IForwarderErrorFeature</c> carries a
/// forwarding error: absent when the answer (whatever its status) came from the upstream.
/// </summary>
public interface ISluiceErrorFeature
{
    SluiceError Error { get; }

    /// <summary>What went wrong underneath, for the log; never shown to the client.</summary>
    Exception? Exception { get; }

    /// <summary>
    /// A remote party's own text (a function's error, the server's refusal), for the log only:
    /// it may carry internal details, so the client's message points at the log instead.
    /// </summary>
    string? Detail { get; }
}
