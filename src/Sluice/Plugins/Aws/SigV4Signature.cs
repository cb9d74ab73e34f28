namespace Sluice.Plugins.Aws;

/// <summary>
/// The outcome of signing one request: what was signed (for tests and debugging) and the
/// headers the request must carry.
/// </summary>
public sealed record SigV4Signature(
    string CanonicalRequest,
    string StringToSign,
    string Signature,
    string Authorization,
    string AmzDate,
    string? SecurityToken,
    string? ContentSha256);
