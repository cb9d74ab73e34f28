using Sluice.Api;

namespace Sluice.Plugins.Nats;

/// <summary>How a <see cref="NatsConnection"/> connects: servers, credentials, TLS. Compares by value.</summary>
internal sealed record NatsClientOptions
{
    public required ValueList<NatsServerAddress> Servers { get; init; }

    public string? Token { get; init; }

    public string? User { get; init; }

    public string? Password { get; init; }

    /// <summary>Always use TLS; otherwise TLS is used when the server requires it.</summary>
    public bool Tls { get; init; }

    /// <summary>Server name to verify; null = the server's host.</summary>
    public string? TlsServerName { get; init; }

    /// <summary>PEM certificates to trust for the server's chain instead of the system's (a private CA).</summary>
    public string? TlsRootPem { get; init; }

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    public string Name { get; init; } = "sluice";

    /// <summary>Printed records reach logs and the plan dump: the token and the password never do.</summary>
    public override string ToString() =>
        $"NatsClientOptions {{ Servers = [{string.Join(", ", Servers)}], Token = {Redacted(Token)}, User = {User}, Password = {Redacted(Password)}, "
        + $"Tls = {Tls}, TlsServerName = {TlsServerName}, TlsRootPem = {(TlsRootPem is null ? "" : "(set)")}, ConnectTimeout = {ConnectTimeout}, Name = {Name} }}";

    private static string Redacted(string? secret) => secret is null ? "" : "(redacted)";
}
