using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Sluice.Api;
using Sluice.Cli.Commands;
using Sluice.Storage;
using Sluice.Translation;

namespace Sluice.Cli.Check;

/// <summary>Turns what the store holds and what the gateway reports into the list <c>check</c> prints.</summary>
internal static class Problems
{
    public static void Collect(ConfigSnapshot? snapshot, GatewayView? gateway, DateTimeOffset now, TimeSpan expiryWindow, List<Problem> problems)
    {
        if (gateway is not null)
        {
            Readiness(gateway, problems);
        }
        Verdicts(snapshot, gateway, problems);
        if (snapshot is not null)
        {
            MissingTargets(snapshot, problems);
            Certificates(snapshot, now, expiryWindow, problems);
        }
        if (gateway is not null)
        {
            Endpoints(gateway, problems);
            Discovery(gateway, problems);
        }
    }

    private static void Readiness(GatewayView gateway, List<Problem> problems)
    {
        var detail = gateway.Detail;
        if (detail?["draining"]?.GetValue<bool>() == true)
        {
            problems.Add(new Problem("gateway", "draining for shutdown"));
        }
        else if (detail?["ready"]?.GetValue<bool>() == false)
        {
            problems.Add(new Problem("gateway", "not ready: no configuration has been applied yet"));
        }
        if (detail?["store"] is JsonObject store && store["reachable"]?.GetValue<bool>() == false)
        {
            problems.Add(new Problem("gateway", $"its store {store["name"]} is unreachable ({store["detail"]}); it serves its last plan"));
        }
    }

    /// <summary>Rejected and Warning objects: the gateway's verdicts when it answers, otherwise judged offline.</summary>
    private static void Verdicts(ConfigSnapshot? snapshot, GatewayView? gateway, List<Problem> problems)
    {
        var seen = new HashSet<(ConfigKind, string)>();
        if (gateway?.Upstreams is not null && gateway.VirtualServices is not null)
        {
            foreach (var (kind, items) in new[] { (ConfigKind.Upstream, gateway.Upstreams), (ConfigKind.VirtualService, gateway.VirtualServices) })
            {
                foreach (var item in items.OfType<JsonObject>())
                {
                    var state = item["status"]?["state"]?.GetValue<string>();
                    var name = item["name"]?.GetValue<string>() ?? "?";
                    if (state is nameof(StatusState.Rejected) or nameof(StatusState.Warning) && seen.Add((kind, name)))
                    {
                        var serving = item["status"]?["serving_resource_version"]?.GetValue<string>() is { } version ? $" (version {version} still serving)" : "";
                        problems.Add(new Problem(KindArgument.Reference(kind, name), $"{state}: {item["status"]?["reason"]?.GetValue<string>()}{serving}"));
                    }
                }
            }
        }
        else if (snapshot is not null)
        {
            foreach (var report in OfflineTranslation.Judge(snapshot).OrderBy(r => r.Kind).ThenBy(r => r.Name, StringComparer.Ordinal))
            {
                if (report.Status.State is StatusState.Rejected or StatusState.Warning && seen.Add((report.Kind, report.Name)))
                {
                    problems.Add(new Problem(KindArgument.Reference(report.Kind, report.Name), $"{report.Status.State}: {report.Status.Reason}"));
                }
            }
        }
        if (snapshot is null)
        {
            return;
        }
        foreach (var error in snapshot.LoadErrors)
        {
            if (error.ObjectName is { } name && error.Kind is { } kind)
            {
                if (seen.Add((kind, name)))
                {
                    problems.Add(new Problem(KindArgument.Reference(kind, name), $"Rejected: not loaded: {error with { Kind = null, ObjectName = null }}"));
                }
            }
            else
            {
                problems.Add(new Problem("store", $"not loaded: {error}"));
            }
        }
        foreach (var (name, why) in snapshot.SecretErrors.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            problems.Add(new Problem($"secret/{name}", $"cannot be read: {why}"));
        }
    }

    /// <summary>Routes whose upstream or function does not exist, named by route and destination.</summary>
    private static void MissingTargets(ConfigSnapshot snapshot, List<Problem> problems)
    {
        var upstreams = snapshot.Upstreams.ToDictionary(
            u => u.Name,
            u => DiscoveredFunctions.Merge(u, snapshot.Discovered.GetValueOrDefault(u.Name), null).Functions.Select(f => f.Name).ToHashSet(StringComparer.Ordinal),
            StringComparer.Ordinal);
        var broken = snapshot.LoadErrors.Where(e => e.Kind == ConfigKind.Upstream && e.ObjectName is not null).Select(e => e.ObjectName!).ToHashSet(StringComparer.Ordinal);
        foreach (var vs in snapshot.VirtualServices.OrderBy(v => v.Name, StringComparer.Ordinal))
        {
            for (var i = 0; i < vs.Routes.Count; i++)
            {
                var route = vs.Routes[i];
                var destinations = route.MultipleDestinations is { Count: > 0 } multiple
                    ? multiple.Select(w => w.Destination)
                    : route.SingleDestination is { } single ? [single] : [];
                foreach (var destination in destinations)
                {
                    var subject = $"virtualservice/{vs.Name}";
                    var where = $"route {i} ({Describe(route)})";
                    if (destination.UpstreamName is not { } upstream)
                    {
                        continue;
                    }
                    if (!upstreams.TryGetValue(upstream, out var functions))
                    {
                        problems.Add(new Problem(subject, broken.Contains(upstream)
                            ? $"{where} goes to upstream '{upstream}', which does not load"
                            : $"{where} goes to upstream '{upstream}', which does not exist{ObjectListing.Suggest(upstream, upstreams.Keys)}"));
                    }
                    else if (destination.Function is { } function && !functions.Contains(function.FunctionName))
                    {
                        problems.Add(new Problem(subject, $"{where} calls function '{function.FunctionName}', which upstream '{upstream}' does not have{ObjectListing.Suggest(function.FunctionName, functions)}"));
                    }
                }
            }
        }
    }

    private static string Describe(Route route) => route switch
    {
        { EventMatcher: { } e } => $"event {e.EventType}",
        { RequestMatcher.PathExact: { } p } => $"path {p}",
        { RequestMatcher.PathRegex: { } p } => $"regex {p}",
        { RequestMatcher.PathPrefix: { } p } => $"prefix {p}",
        _ => "any path",
    };

    /// <summary>Every certificate in a secret or a virtual service's ssl_files that expires within the window (or has).</summary>
    private static void Certificates(ConfigSnapshot snapshot, DateTimeOffset now, TimeSpan window, List<Problem> problems)
    {
        foreach (var (name, secret) in snapshot.Secrets.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            foreach (var key in new[] { "tls.crt", "ca_chain", "tls.root", "root_ca" })
            {
                if (secret.TryGetValue(key, out var pem))
                {
                    Expiring($"secret/{name}", key, pem, now, window, problems);
                }
            }
        }
        foreach (var vs in snapshot.VirtualServices)
        {
            if (vs.SslConfig?.SslFiles is { } files)
            {
                foreach (var (field, path) in new[] { ("ssl_files.tls_cert", files.TlsCert), ("ssl_files.root_ca", files.RootCa) })
                {
                    if (path is null)
                    {
                        continue;
                    }
                    var full = Path.IsPathRooted(path) || snapshot.BaseDirectory is null ? path : Path.Combine(snapshot.BaseDirectory, path);
                    if (File.Exists(full))
                    {
                        Expiring($"virtualservice/{vs.Name}", $"{field} {path}", File.ReadAllText(full), now, window, problems);
                    }
                }
            }
        }
    }

    private static void Expiring(string subject, string where, string pem, DateTimeOffset now, TimeSpan window, List<Problem> problems)
    {
        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPem(pem);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            // Not a certificate: the verdict on whatever uses it says so.
            return;
        }
        foreach (var certificate in certificates)
        {
            using (certificate)
            {
                var expires = new DateTimeOffset(certificate.NotAfter.ToUniversalTime());
                if (expires <= now)
                {
                    problems.Add(new Problem(subject, $"{where}: certificate '{certificate.Subject}' expired on {expires:yyyy-MM-dd}"));
                }
                else if (expires - now <= window)
                {
                    var days = (int)Math.Floor((expires - now).TotalDays);
                    problems.Add(new Problem(subject, $"{where}: certificate '{certificate.Subject}' expires on {expires:yyyy-MM-dd} (in {days.ToString(CultureInfo.InvariantCulture)} day(s))"));
                }
            }
        }
    }

    private static void Endpoints(GatewayView gateway, List<Problem> problems)
    {
        foreach (var cluster in (gateway.Clusters ?? []).OfType<JsonObject>())
        {
            var name = cluster["name"]?.GetValue<string>() ?? "?";
            foreach (var endpoint in (cluster["endpoints"] as JsonArray ?? []).OfType<JsonObject>())
            {
                var address = endpoint["address"]?.GetValue<string>() ?? "?";
                if (endpoint["ejected"]?.GetValue<bool>() == true)
                {
                    problems.Add(new Problem($"upstream/{name}", $"endpoint {address} is ejected (outlier detection)"));
                }
                else if (endpoint["healthy"]?.GetValue<bool>() == false)
                {
                    problems.Add(new Problem($"upstream/{name}", $"endpoint {address} is unhealthy (failing its health checks)"));
                }
            }
        }
    }

    private static void Discovery(GatewayView gateway, List<Problem> problems)
    {
        foreach (var state in (gateway.Discovery?["upstreams"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if (state["state"]?.GetValue<string>() == "failing")
            {
                problems.Add(new Problem($"upstream/{state["upstream"]}", $"function discovery is failing: {state["message"]?.GetValue<string>() ?? "no detail"}"));
            }
        }
    }
}
