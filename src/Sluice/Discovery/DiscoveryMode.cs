namespace Sluice.Discovery;

/// <summary>Which upstreams function discovery looks at.</summary>
public enum DiscoveryMode
{
    /// <summary>Only upstreams that ask for it: the opt-in annotation, or a named OpenAPI document (the default).</summary>
    OptIn,

    /// <summary>Every upstream, except those annotated <c>disabled</c>.</summary>
    All,

    /// <summary>None: discovery does not run (records already written are kept).</summary>
    Disabled,
}
