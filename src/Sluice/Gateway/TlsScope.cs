using Sluice.Api;

namespace Sluice.Gateway;

/// <summary>
/// What a TLS connection's handshake vouches for: the names its certificate was chosen for and
/// the client CA it checked (if any). The HTTPS listener stashes it on the connection; a request
/// is served only by a virtual host with the same scope, so a Host header cannot lead a
/// connection to a virtual service whose certificate or mTLS requirement it never went through.
/// One instance per value, kept across reloads (a rotated certificate keeps its scope), so the
/// per-request check is a reference comparison.
/// </summary>
internal sealed record TlsScope(ValueList<string> ServerNames, string? ClientCaPem);
