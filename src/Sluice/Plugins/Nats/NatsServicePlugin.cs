using Sluice.Api;
using Sluice.Plan;
using Sluice.Translation;

namespace Sluice.Plugins.Nats;

/// <summary>
/// <c>service_info.type: nats</c> (alias <c>nats-streaming</c>, Gloo's name): requests routed to
/// a function of the upstream are published to NATS, the function name being the subject.
/// Gloo's NATS Streaming is retired; its modern equivalent is JetStream, on by default for the
/// <c>nats-streaming</c> alias (whose point was persistence) and off for <c>nats</c>.
/// </summary>
internal sealed class NatsServicePlugin : IServicePlugin
{
    private const int DefaultPort = 4222;

    public string Name => "nats";

    public IReadOnlyList<string> ServiceTypes { get; } = ["nats", "nats-streaming"];

    public ClusterPlan? ApplyServiceInfo(Upstream upstream, ClusterPlan cluster, TranslationContext context, Diagnostics diagnostics)
    {
        var properties = new SpecReader(upstream.ServiceInfo!.Properties, "service_info.properties", diagnostics);
        var serverTexts = properties.Strings("servers");
        var jetStream = properties.Bool("jetstream") ?? upstream.ServiceInfo.Type == "nats-streaming";
        var opTimeout = properties.Duration("op_timeout") ?? TimeSpan.FromSeconds(5);
        var secretRef = properties.String("secret_ref");
        var tls = properties.Bool("tls");
        var tlsServerName = properties.String("tls_server_name");
        var headers = properties.Strings("headers") ?? [];
        foreach (var stanOnly in new[] { "cluster_id", "discover_prefix" })
        {
            if (properties.Has(stanOnly))
            {
                properties.String(stanOnly);
                diagnostics.Warning($"service_info.properties.{stanOnly}", "ignored: it configured NATS Streaming (STAN), which JetStream replaces");
            }
        }
        properties.WarnUnknownKeys();

        if (opTimeout <= TimeSpan.Zero)
        {
            diagnostics.Error("service_info.properties.op_timeout", "must be greater than zero");
        }
        var servers = new List<NatsServerAddress>();
        if (serverTexts is { Count: > 0 })
        {
            for (var i = 0; i < serverTexts.Count; i++)
            {
                if (TryParseServer(serverTexts[i], out var server, out var why))
                {
                    servers.Add(server);
                }
                else
                {
                    diagnostics.Error($"service_info.properties.servers[{i}]", why);
                }
            }
        }
        else
        {
            servers.AddRange(cluster.Endpoints.Select(e => new NatsServerAddress(e.Host, e.Port, cluster.UseTls)));
            if (servers.Count == 0)
            {
                diagnostics.Error("service_info.properties.servers", "no NATS server: list servers here or give the upstream hosts");
            }
        }
        for (var i = 0; i < headers.Count; i++)
        {
            var name = headers[i];
            var bare = name.EndsWith('*') ? name[..^1] : name;
            if (bare.Length == 0 || bare.Contains('*') || bare.Any(c => c <= ' ' || c == ':' || c > '~'))
            {
                diagnostics.Error($"service_info.properties.headers[{i}]", $"'{name}' is not a header name (or a prefix written like 'ce-*')");
            }
        }

        var options = new NatsClientOptions
        {
            Servers = new(servers),
            Tls = tls ?? false,
            TlsServerName = tlsServerName ?? cluster.TlsServerName,
            ConnectTimeout = cluster.ConnectTimeout,
        };
        if (secretRef is not null)
        {
            if (!context.TryGetSecret(secretRef, out var secret))
            {
                diagnostics.Error("service_info.properties.secret_ref", $"secret '{secretRef}' not found");
            }
            else
            {
                var used = false;
                if (secret.TryGetValue("token", out var token))
                {
                    options = options with { Token = token };
                    used = true;
                }
                else if ((secret.TryGetValue("username", out var user) || secret.TryGetValue("user", out user))
                    && secret.TryGetValue("password", out var password))
                {
                    options = options with { User = user, Password = password };
                    used = true;
                }
                if (secret.TryGetValue("tls.root", out var root))
                {
                    options = options with { TlsRootPem = root };
                    used = true;
                }
                if (!used)
                {
                    diagnostics.Error("service_info.properties.secret_ref", $"secret '{secretRef}' must hold 'token', or 'username' and 'password', and/or 'tls.root'");
                }
            }
        }
        if (options.Token is not null || options.User is not null)
        {
            options = RequireTlsForCredentials(options, tls, secretRef!, diagnostics);
        }
        if (diagnostics.HasErrors)
        {
            return null;
        }

        var spec = new NatsPublishSpec(options, jetStream, opTimeout, new(headers.Select(h => h.ToLowerInvariant())));
        // A NATS "endpoint" is a server: load balancing, retries and outlier detection work on them.
        return cluster with { Endpoints = spec.Endpoints, Invoker = spec, AcceptsAnyFunction = true };
    }

    /// <summary>
    /// Credentials go out only over TLS unless the config says <c>tls: false</c> in so many words.
    /// A server's INFO saying it requires TLS is not enough: anyone on the path can strip it. So an
    /// upstream that did not choose gets TLS on every connection, and a warning saying so.
    /// </summary>
    private static NatsClientOptions RequireTlsForCredentials(NatsClientOptions options, bool? tls, string secretRef, Diagnostics diagnostics)
    {
        if (tls is not null || options.Servers.All(s => s.Tls))
        {
            return options;
        }
        diagnostics.Warning("service_info.properties.tls",
            $"not set, and secret '{secretRef}' holds credentials: they are sent only over TLS, so every connection uses TLS; write tls: true to say so, or tls: false to send them in cleartext");
        return options with { Tls = true };
    }

    /// <summary><c>nats://host:port</c>, <c>tls://host:port</c>, <c>host:port</c> or <c>host</c> (port 4222).</summary>
    private static bool TryParseServer(string text, out NatsServerAddress server, out string why)
    {
        server = null!;
        why = "";
        var tls = false;
        var rest = text.Trim();
        var scheme = rest.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            var name = rest[..scheme].ToLowerInvariant();
            if (name is not ("nats" or "tls"))
            {
                why = $"'{text}': scheme must be nats:// or tls://";
                return false;
            }
            tls = name == "tls";
            rest = rest[(scheme + 3)..];
        }
        if (!Uri.TryCreate("nats://" + rest, UriKind.Absolute, out var uri) || uri.AbsolutePath != "/" || uri.Host.Length == 0)
        {
            why = $"'{text}' is not a server address (host:port)";
            return false;
        }
        if (uri.UserInfo.Length > 0)
        {
            why = $"'{text}': put credentials in a secret (secret_ref), not in the address";
            return false;
        }
        server = new NatsServerAddress(uri.Host.Trim('[', ']'), uri.IsDefaultPort || uri.Port < 0 ? DefaultPort : uri.Port, tls);
        return true;
    }
}
