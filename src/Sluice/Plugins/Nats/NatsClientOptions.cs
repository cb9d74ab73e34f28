using Sluice.Api;

namespace Sluice.Plugins.Nats;

/// <summary>How a <see cref="NatsServerConnection"/> connects: servers, credentials, TLS. Compares by value.</summary>
internal sealed record NatsClientOptions
{
    public required ValueList<NatsServerAddress> Servers { get; init; }

    public string? Token { get; init; }

    public string? User { get; init; }

    public string? Password { get; init; }

    /// <summary>An NKey seed (<c>SU…</c>): the server's nonce is signed with it.</summary>
    public string? NKeySeed { get; init; }

    /// <summary>The public key of <see cref="NKeySeed"/> (<c>U…</c>), sent with the signature.</summary>
    public string? NKeyPublic { get; init; }

    /// <summary>A creds file's content: a user JWT and its NKey seed (decentralized auth).</summary>
    public string? Creds { get; init; }

    /// <summary>Always use TLS; otherwise TLS is used when the server requires it.</summary>
    public bool Tls { get; init; }

    /// <summary>Server name to verify; null = the server's host.</summary>
    public string? TlsServerName { get; init; }

    /// <summary>PEM certificates to trust for the server's chain instead of the system's (a private CA).</summary>
    public string? TlsRootPem { get; init; }

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    public string Name { get; init; } = "sluice";

    /// <summary>
    /// How often the client pings an idle server; two unanswered pings close the connection and
    /// start a reconnect, so a silently dead connection is found within about three intervals.
    /// </summary>
    public TimeSpan PingInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Printed records reach logs and the plan dump: the token, the password, the seed and the creds never do.</summary>
    public override string ToString() =>
        $"NatsClientOptions {{ Servers = [{string.Join(", ", Servers)}], Token = {Redacted(Token)}, User = {User}, Password = {Redacted(Password)}, "
        + $"NKeySeed = {Redacted(NKeySeed)}, NKeyPublic = {NKeyPublic}, Creds = {Redacted(Creds)}, "
        + $"Tls = {Tls}, TlsServerName = {TlsServerName}, TlsRootPem = {(TlsRootPem is null ? "" : "(set)")}, ConnectTimeout = {ConnectTimeout}, PingInterval = {PingInterval}, Name = {Name} }}";

    private static string Redacted(string? secret) => secret is null ? "" : "(redacted)";
}
