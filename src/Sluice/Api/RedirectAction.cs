namespace Sluice.Api;

/// <summary>A route that answers with a redirect instead of going to an upstream (Gloo Edge's redirectAction).</summary>
public sealed record RedirectAction
{
    /// <summary>Send the client to the same URL over HTTPS.</summary>
    public bool HttpsRedirect { get; init; }

    public string? HostRedirect { get; init; }

    /// <summary>Replaces the whole path (and the query, when it carries one).</summary>
    public string? PathRedirect { get; init; }

    /// <summary>Replaces the matched prefix of the path.</summary>
    public string? PrefixRewrite { get; init; }

    /// <summary>301 (default), 302, 303, 307 or 308.</summary>
    public uint? ResponseCode { get; init; }

    public bool StripQuery { get; init; }
}
