using NATS.NKeys;
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
                options = ReadCredentials(options, secret, secretRef, diagnostics);
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
    /// One way to log in (<c>token</c>; <c>username</c> and <c>password</c>; <c>nkey</c>, a user
    /// NKey seed; or <c>creds</c>, a creds file's content), and/or <c>tls.root</c>. NATS.Net uses them;
    /// they are checked here so a bad one is a precise status, not a refused connection later.
    /// </summary>
    private static NatsClientOptions ReadCredentials(NatsClientOptions options, IReadOnlyDictionary<string, string> secret, string secretRef, Diagnostics diagnostics)
    {
        var field = "service_info.properties.secret_ref";
        var ways = new List<string>();
        if (secret.TryGetValue("token", out var token))
        {
            options = options with { Token = token };
            ways.Add("token");
        }
        if ((secret.TryGetValue("username", out var user) || secret.TryGetValue("user", out user))
            && secret.TryGetValue("password", out var password))
        {
            options = options with { User = user, Password = password };
            ways.Add("username/password");
        }
        if (secret.TryGetValue("nkey", out var seed))
        {
            ways.Add("nkey");
            try
            {
                using var pair = KeyPair.FromSeed(seed.Trim().AsSpan());
                if (pair.Prefix != PrefixByte.User)
                {
                    diagnostics.Error(field, $"secret '{secretRef}': 'nkey' must be a user NKey seed (SU…), not a {pair.Prefix} seed");
                }
                options = options with { NKeySeed = seed.Trim(), NKeyPublic = pair.GetPublicKey() };
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                diagnostics.Error(field, $"secret '{secretRef}': 'nkey' is not an NKey seed ({e.Message})");
            }
        }
        if (secret.TryGetValue("creds", out var creds))
        {
            ways.Add("creds");
            if (!creds.Contains("-----BEGIN NATS USER JWT-----", StringComparison.Ordinal) || !creds.Contains("-----BEGIN USER NKEY SEED-----", StringComparison.Ordinal))
            {
                diagnostics.Error(field, $"secret '{secretRef}': 'creds' must be a creds file's content (a NATS USER JWT and a USER NKEY SEED block)");
            }
            options = options with { Creds = creds };
        }
        if (ways.Count > 1)
        {
            diagnostics.Error(field, $"secret '{secretRef}' holds more than one way to log in ({string.Join(", ", ways)}): keep one");
        }
        var root = secret.TryGetValue("tls.root", out var pem) ? pem : null;
        if (root is not null)
        {
            options = options with { TlsRootPem = root };
        }
        if (ways.Count == 0 && root is null)
        {
            diagnostics.Error(field, $"secret '{secretRef}' must hold 'token', or 'username' and 'password', or 'nkey', or 'creds', and/or 'tls.root'");
        }
        return options;
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
