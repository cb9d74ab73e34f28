namespace Sluice.Gateway;

/// <summary>How requests to plain-text HTTP/1.1 upstreams are forwarded (<c>sluice run --upstream-client</c>).</summary>
public enum UpstreamClient
{
    /// <summary>YARP's forwarder over HttpClient's <c>SocketsHttpHandler</c>, as for every other upstream.</summary>
    Yarp,

    /// <summary>Sluice's direct forwarder: from Kestrel's request to a pooled upstream connection and back (<c>Gateway/Forwarding/</c>). The default.</summary>
    Direct,
}
