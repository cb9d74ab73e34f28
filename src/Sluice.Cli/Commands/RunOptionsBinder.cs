using System.CommandLine;
using System.Globalization;
using System.Net;
using Sluice.Api;
using Sluice.Gateway;

namespace Sluice.Cli.Commands;

/// <summary>
/// The flags of <c>sluice run</c> and how they become <see cref="GatewayOptions"/>. Each flag falls
/// back to <c>SLUICE_&lt;FLAG&gt;</c>, then to the default in <see cref="GatewayOptions"/>. Values are
/// read as text and checked here, so a bad flag and a bad variable get the same precise message.
/// </summary>
internal sealed class RunOptionsBinder
{
    private static readonly GatewayOptions Defaults = new();

    /// <summary>Where configuration lives: <c>--config-dir</c>, or <c>--store etcd|kubernetes</c> and their flags.</summary>
    public StoreFlags Store { get; } = new();

    public Option<string?> ConfigDir => Store.ConfigDir;

    /// <summary><c>sluice run DIR</c>, as <c>validate DIR</c> takes it: the same as <c>--config-dir DIR</c>.</summary>
    public Argument<string?> ConfigDirArgument { get; } = new("config-dir")
    {
        Description = "The config folder (same as --config-dir)",
        Arity = ArgumentArity.ZeroOrOne,
    };

    public Option<string?> Bind { get; } = Create("--bind", "ADDR", "Address the traffic listeners bind to", "all addresses");

    public Option<string?> HttpPort { get; } = Create("--http-port", "N", "HTTP port (0 = off)", Defaults.HttpPort);

    public Option<string?> HttpsPort { get; } = Create("--https-port", "N", "HTTPS port, for virtual services with ssl_config (0 = off)", Defaults.HttpsPort);

    public Option<string?> Http2Port { get; } = Create("--http2-port", "N", "Cleartext HTTP/2 (h2c, prior knowledge) port (0 = off)", Defaults.Http2Port);

    public Option<string?> AdminPort { get; } = Create("--admin-port", "N", "Admin API port: health, metrics, objects, plan (0 = off)", Defaults.AdminPort);

    public Option<string?> AdminBind { get; } = Create("--admin-bind", "ADDR", "Address the admin API binds to", Defaults.AdminBind);

    public Option<string?> TrustedProxies { get; } = Create(
        "--trusted-proxies", "CIDR[,CIDR…]", "Peers whose x-forwarded-for/-host, forwarded and x-real-ip are kept (e.g. 10.0.0.0/8,fd00::/8)", "none");

    public Option<string?> Role { get; } = Create("--role", "all|gateway|controller", "Serve traffic, write statuses (one elected leader among controllers), or both", "all");

    public Option<string?> LeaseTtl { get; } = Create("--lease-ttl", "SECONDS", "Leader lease of controllers on etcd: a dead leader is replaced within it", "10");

    public Option<string?> DrainDelay { get; } = Create("--drain-delay", "SECONDS",
        "On SIGTERM, how long /readyz says draining before the listeners stop (then requests in flight finish)", "0");

    public Option<string?> RequestHeadersTimeout { get; } = Create("--request-headers-timeout", "SECONDS",
        "How long a client may take to send a request's headers (slower clients get 408)", Defaults.RequestHeadersTimeout.TotalSeconds);

    public Option<string?> UpstreamClient { get; } = Create("--upstream-client", "yarp|direct",
        "How plain-text HTTP/1.1 upstreams are forwarded to: YARP over HttpClient, or Sluice's direct forwarder (TLS, HTTP/2, upgrades and transformed requests always use YARP)",
        Defaults.UpstreamClient.ToString().ToLowerInvariant());

    public TelemetryFlags Telemetry { get; } = new();

    public DiscoveryFlags Discovery { get; } = new();

    public UpstreamDiscoveryFlags UpstreamDiscovery { get; } = new();

    public ConsulFlags Consul { get; } = new();

    public IEnumerable<Option> All => [.. Store.All, Bind, HttpPort, HttpsPort, Http2Port, AdminPort, AdminBind, TrustedProxies, Role, LeaseTtl, DrainDelay, RequestHeadersTimeout, UpstreamClient, .. Telemetry.All, .. Discovery.All, .. UpstreamDiscovery.All, .. Consul.All];

    public GatewayOptions Resolve(ParseResult parseResult, CliContext context)
    {
        string? Get(Option<string?> option) => EnvironmentFallback.Get(parseResult, option, context);
        string Source(Option option) => EnvironmentFallback.SourceOf(parseResult, option, context);

        var options = new GatewayOptions
        {
            ConfigDir = ResolveConfigDir(parseResult, context),
            Bind = Get(Bind) is { } bind ? ParseAddress(bind, Source(Bind)) : Defaults.Bind,
            HttpPort = Get(HttpPort) is { } http ? ParsePort(http, Source(HttpPort)) : Defaults.HttpPort,
            HttpsPort = Get(HttpsPort) is { } https ? ParsePort(https, Source(HttpsPort)) : Defaults.HttpsPort,
            Http2Port = Get(Http2Port) is { } h2c ? ParsePort(h2c, Source(Http2Port)) : Defaults.Http2Port,
            AdminPort = Get(AdminPort) is { } admin ? ParsePort(admin, Source(AdminPort)) : Defaults.AdminPort,
            AdminBind = Get(AdminBind) is { } adminBind ? ParseAddress(adminBind, Source(AdminBind)) : Defaults.AdminBind,
            TrustedProxies = Get(TrustedProxies) is { } trusted ? ParseNetworks(trusted, Source(TrustedProxies)) : Defaults.TrustedProxies,
            Role = Get(Role) is { } role ? ParseRole(role, Source(Role)) : Defaults.Role,
            DrainDelay = Get(DrainDelay) is { } drain ? ParseDrainDelay(drain, Source(DrainDelay)) : Defaults.DrainDelay,
            RequestHeadersTimeout = Get(RequestHeadersTimeout) is { } headers ? StoreFlags.ParseSeconds(headers, Source(RequestHeadersTimeout)) : Defaults.RequestHeadersTimeout,
            UpstreamClient = Get(UpstreamClient) is { } client ? ParseUpstreamClient(client, Source(UpstreamClient)) : Defaults.UpstreamClient,
        };
        return Telemetry.Apply(options, parseResult, context);
    }

    private string ResolveConfigDir(ParseResult parseResult, CliContext context)
    {
        var positional = parseResult.GetValue(ConfigDirArgument);
        if (positional is null)
        {
            return ConfigDirOption.Resolve(parseResult, ConfigDir, context);
        }
        if (parseResult.GetResult(ConfigDir) is { Implicit: false } && parseResult.GetValue(ConfigDir) != positional)
        {
            throw new CliException($"the config folder is given twice: '{positional}' and {ConfigDirOption.Name} '{parseResult.GetValue(ConfigDir)}'");
        }
        return positional;
    }

    /// <summary>The flag (or variable) that set a listener's port, for a message about that port.</summary>
    public string? FlagForPort(GatewayOptions options, int port) =>
        port == options.HttpPort ? HttpPort.Name
        : port == options.HttpsPort ? HttpsPort.Name
        : port == options.Http2Port ? Http2Port.Name
        : port == options.AdminPort ? AdminPort.Name
        : null;

    internal static int ParsePort(string text, string source)
    {
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port <= IPEndPoint.MaxPort)
        {
            return port;
        }
        throw new CliException($"{source}: '{text}' is not a port (0-65535, 0 = off)");
    }

    internal static IPAddress ParseAddress(string text, string source)
    {
        switch (text.Trim().ToLowerInvariant())
        {
            case "*" or "any":
                return IPAddress.IPv6Any;
            case "localhost":
                return IPAddress.Loopback;
        }
        // Accept "[::1]" as written in URLs as well as "::1".
        if (IPAddress.TryParse(text.Trim().Trim('[', ']'), out var address))
        {
            return address;
        }
        throw new CliException($"{source}: '{text}' is not an IP address (e.g. 0.0.0.0, ::, 127.0.0.1, localhost, *)");
    }

    /// <summary>Comma-separated CIDR blocks; a bare address stands for itself alone.</summary>
    internal static ValueList<IPNetwork> ParseNetworks(string text, string source)
    {
        var networks = new List<IPNetwork>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (HostBitsSet(part) is { } meant)
            {
                // IPNetwork accepts 10.1.2.3/8 without a word: a slip that would trust a whole block
                // when one host was meant (or the reverse) is not ours to guess.
                throw new CliException($"{source}: '{part}' has bits set past its prefix length: did you mean {meant}?");
            }
            if (IPNetwork.TryParse(part, out var network))
            {
                networks.Add(network);
            }
            else if (!part.Contains('/') && IPAddress.TryParse(part, out var address))
            {
                networks.Add(new IPNetwork(address, address.GetAddressBytes().Length * 8));
            }
            else
            {
                throw new CliException($"{source}: '{part}' is not a CIDR block (e.g. 10.0.0.0/8, 192.168.1.10, fd00::/8)");
            }
        }
        return new ValueList<IPNetwork>(networks);
    }

    /// <summary>The block an address/prefix with host bits set lies in (10.1.2.3/8 → 10.0.0.0/8); null for anything else.</summary>
    private static IPNetwork? HostBitsSet(string text)
    {
        var slash = text.IndexOf('/');
        if (slash < 0 || !IPAddress.TryParse(text.AsSpan(0, slash), out var address)
            || !int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var prefix))
        {
            return null;
        }
        var bytes = address.GetAddressBytes();
        if (prefix > bytes.Length * 8)
        {
            return null;
        }
        for (var bit = prefix; bit < bytes.Length * 8; bit++)
        {
            bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        }
        var network = new IPAddress(bytes);
        return network.Equals(address) ? null : new IPNetwork(network, prefix);
    }

    /// <summary>The leader lease for <c>--store etcd</c>; null leaves etcd's default.</summary>
    public TimeSpan? ResolveLeaseTtl(ParseResult parseResult, CliContext context) =>
        EnvironmentFallback.Get(parseResult, LeaseTtl, context) is { } ttl
            ? StoreFlags.ParseSeconds(ttl, EnvironmentFallback.SourceOf(parseResult, LeaseTtl, context))
            : null;

    private static TimeSpan ParseDrainDelay(string text, string source) =>
        text.Trim() == "0" ? TimeSpan.Zero : StoreFlags.ParseSeconds(text, source);

    internal static UpstreamClient ParseUpstreamClient(string text, string source) => text.Trim().ToLowerInvariant() switch
    {
        "yarp" => Gateway.UpstreamClient.Yarp,
        "direct" => Gateway.UpstreamClient.Direct,
        _ => throw new CliException($"{source}: '{text}' is not an upstream client (yarp or direct)"),
    };

    internal static GatewayRole ParseRole(string text, string source) => text.Trim().ToLowerInvariant() switch
    {
        "all" => GatewayRole.All,
        "gateway" => GatewayRole.Gateway,
        "controller" => GatewayRole.Controller,
        _ => throw new CliException($"{source}: '{text}' is not a role (all, gateway or controller)"),
    };

    private static Option<string?> Create(string name, string helpName, string description, object defaultValue) => new(name)
    {
        Description = $"{description} [env: {EnvironmentFallback.VariableFor(name)}; default: {defaultValue}]",
        HelpName = helpName,
    };
}
