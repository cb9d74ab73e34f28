namespace Sluice.Consul;

/// <summary>
/// How Sluice reaches the Consul agent. The address and token default to the variables
/// Consul's own tools read (<c>CONSUL_HTTP_ADDR</c>, <c>CONSUL_HTTP_TOKEN</c>).
/// </summary>
public sealed record ConsulOptions
{
    public static readonly Uri DefaultAddress = new("http://127.0.0.1:8500");

    /// <summary>The agent's HTTP API, e.g. <c>http://127.0.0.1:8500</c>.</summary>
    public Uri Address { get; init; } = DefaultAddress;

    /// <summary>ACL token sent as <c>X-Consul-Token</c>; null = none (the agent's default token applies).</summary>
    public string? Token { get; init; }

    /// <summary>
    /// How long one blocking query may wait for a change (Consul's <c>wait</c>; it caps it at 10
    /// minutes and adds up to 1/16 of it as jitter). A change answers at once whatever this is.
    /// </summary>
    public TimeSpan Wait { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The first pause after a failed query; it doubles on each further failure, up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan MinRetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Reads an address as Consul's tools accept it: <c>host:port</c> (http assumed),
    /// <c>http://host:port</c> or <c>https://host:port</c>.
    /// </summary>
    public static bool TryParseAddress(string text, out Uri address)
    {
        var trimmed = text.Trim();
        var withScheme = trimmed.Contains("://", StringComparison.Ordinal) ? trimmed : "http://" + trimmed;
        if (Uri.TryCreate(withScheme, UriKind.Absolute, out var parsed)
            && parsed.Scheme is "http" or "https"
            && parsed.Host.Length > 0
            && parsed.AbsolutePath == "/"
            && parsed.Query.Length == 0)
        {
            address = parsed;
            return true;
        }
        address = DefaultAddress;
        return false;
    }
}
