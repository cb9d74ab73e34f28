namespace Sluice.Gateway.Forwarding;

/// <summary>Where a direct forward failed, which decides what the attempt came to and how it is answered.</summary>
internal enum ForwardingFailure
{
    /// <summary>No connection to the endpoint.</summary>
    Connect,

    /// <summary>The upstream reset, closed or answered invalidly before anything went to the client: retriable.</summary>
    BeforeAnswer,

    /// <summary>The upstream stayed silent past the attempt's inactivity timeout.</summary>
    TimedOut,

    /// <summary>The upstream failed while its body was streaming to the client: the client's response is cut.</summary>
    MidBody,

    /// <summary>The client sent a body that could not be read (bad framing).</summary>
    ClientBody,

    /// <summary>The client went away.</summary>
    ClientGone,
}

/// <summary>A failed direct forward, with the side and phase it failed in.</summary>
internal sealed class ForwardingException(ForwardingFailure failure, string message, Exception? inner = null) : Exception(message, inner)
{
    public ForwardingFailure Failure { get; } = failure;
}
