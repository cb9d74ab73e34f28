using System.Text.Json;
using Sluice.Plan;

namespace Sluice.Gateway;

/// <summary>
/// The live plan as JSON for <c>/api/v1/plan</c> (Envoy's config_dump in spirit): what is being
/// served right now, including placeholder answers and the errors met loading the config.
/// </summary>
internal static class PlanJson
{
    public static void Write(Utf8JsonWriter json, ConfigView? view)
    {
        json.WriteStartObject();
        if (view is null)
        {
            json.WriteNull("applied_at");
            json.WriteEndObject();
            return;
        }
        var plan = view.Result.Plan;
        json.WriteString("applied_at", view.AppliedAt);
        json.WriteStartArray("virtual_hosts");
        foreach (var host in plan.VirtualHosts)
        {
            json.WriteStartObject();
            json.WriteString("name", host.Name);
            WriteStrings(json, "domains", host.Domains);
            json.WriteStartArray("routes");
            foreach (var route in host.Routes)
            {
                WriteRoute(json, route);
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteStartArray("clusters");
        foreach (var cluster in plan.Clusters)
        {
            json.WriteStartObject();
            json.WriteString("name", cluster.Name);
            json.WriteStartArray("endpoints");
            foreach (var endpoint in cluster.Endpoints)
            {
                json.WriteStringValue(endpoint.Host.Contains(':') ? $"[{endpoint.Host}]:{endpoint.Port}" : $"{endpoint.Host}:{endpoint.Port}");
            }
            json.WriteEndArray();
            json.WriteBoolean("tls", cluster.UseTls);
            json.WriteString("connect_timeout", Api.Durations.Format(cluster.ConnectTimeout));
            json.WriteBoolean("auto_host_rewrite", cluster.AutoHostRewrite);
            WriteStrings(json, "functions", cluster.Functions.Select(f => f.Name));
            json.WriteEndObject();
        }
        json.WriteEndArray();
        WriteStrings(json, "load_errors", view.Snapshot.LoadErrors.Select(e => e.ToString()));
        json.WriteEndObject();
    }

    private static void WriteRoute(Utf8JsonWriter json, RoutePlan route)
    {
        json.WriteStartObject();
        json.WriteString("name", route.Name);
        var match = route.Match;
        json.WriteStartObject("match");
        json.WriteString(match.PathKind switch { PathMatchKind.Exact => "path_exact", PathMatchKind.Regex => "path_regex", _ => "path_prefix" }, match.Path);
        if (match.EventType is not null)
        {
            json.WriteString("event_type", match.EventType);
        }
        foreach (var (name, conditions) in new[] { ("headers", match.Headers), ("query_params", match.QueryParams) })
        {
            if (conditions.Count > 0)
            {
                json.WriteStartArray(name);
                foreach (var condition in conditions)
                {
                    json.WriteStartObject();
                    json.WriteString("name", condition.Name);
                    json.WriteString("kind", condition.Kind.ToString().ToLowerInvariant());
                    json.WriteString("value", condition.Value);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
            }
        }
        if (match.Methods.Count > 0)
        {
            WriteStrings(json, "methods", match.Methods);
        }
        json.WriteEndObject();

        json.WriteStartArray("destinations");
        foreach (var destination in route.Destinations)
        {
            json.WriteStartObject();
            json.WriteNumber("weight", destination.Weight);
            if (destination.Answer is { } answer)
            {
                json.WriteStartObject("answer");
                json.WriteNumber("status", answer.StatusCode);
                json.WriteString("code", answer.Name);
                json.WriteString("message", answer.Message);
                json.WriteEndObject();
            }
            else
            {
                json.WriteString("cluster", destination.Cluster);
                if (destination.Function is not null)
                {
                    json.WriteString("function", destination.Function);
                }
            }
            json.WriteEndObject();
        }
        json.WriteEndArray();
        if (route.Redirect is { } redirect)
        {
            json.WriteStartObject("redirect");
            json.WriteNumber("status", redirect.StatusCode);
            json.WriteBoolean("https_redirect", redirect.HttpsRedirect);
            WriteOptional(json, "host", redirect.Host);
            WriteOptional(json, "path", redirect.Path);
            WriteOptional(json, "prefix_rewrite", redirect.PrefixRewrite);
            json.WriteBoolean("strip_query", redirect.StripQuery);
            json.WriteEndObject();
        }
        if (route.DirectResponse is { } direct)
        {
            json.WriteStartObject("direct_response");
            json.WriteNumber("status", direct.StatusCode);
            WriteOptional(json, "body", direct.Body);
            json.WriteEndObject();
        }
        WriteOptional(json, "prefix_rewrite", route.PrefixRewrite);
        if (route.RegexRewrite is not null)
        {
            json.WriteString("regex_rewrite", route.RegexRewrite.ToString());
            json.WriteString("regex_substitution", route.RegexSubstitution);
        }
        WriteOptional(json, "host_rewrite", route.HostRewrite);
        json.WriteString("timeout", Api.Durations.Format(route.Timeout ?? RoutePlan.DefaultTimeout));
        if (route.Retries is { } retries)
        {
            json.WriteStartObject("retries");
            json.WriteNumber("num_retries", retries.NumRetries);
            json.WriteString("retry_on", retries.RetryOn.ToString());
            if (retries.PerTryTimeout is { } perTry)
            {
                json.WriteString("per_try_timeout", Api.Durations.Format(perTry));
            }
            json.WriteEndObject();
        }
        json.WriteBoolean("cors", route.Cors is not null);
        json.WriteEndObject();
    }

    private static void WriteOptional(Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }

    private static void WriteStrings(Utf8JsonWriter json, string name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }
        json.WriteEndArray();
    }
}
