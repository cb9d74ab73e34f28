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
}
