using System.Text.Json;
using Sluice.Api;

namespace Sluice.Discovery;

/// <summary>
/// Functions from a FaaS platform's listing API (reference §2.10), for an upstream annotated
/// <c>discovery.sluice.io/listing: openfaas|fission|fn</c> or a kubernetes upstream Gloo would have
/// recognised (<c>openfaas/gateway</c>, <c>fission/controller</c>, a service ending in <c>-fn-api</c>):
/// OpenFaaS <c>GET /system/functions</c>, Fission <c>GET /v2/functions</c>, Fn <c>GET /v1/apps</c> and each
/// app's <c>/v1/apps/&lt;app&gt;/routes</c>. Sets <c>service_info.type</c> to the platform, which the
/// FaaS function plugin turns into calls. The answers read are the platforms' published shapes:
/// OpenFaaS's list of function statuses (<c>name</c>), Fission's list of Function resources
/// (<c>metadata.name</c>), Fn's v1 <c>{"apps": [...], "next_cursor"}</c> and <c>{"routes": [...], "next_cursor"}</c>.
/// </summary>
internal sealed class FaasListingSource(DiscoveryHttp http) : IFunctionSource
{
    public string Name => "faas";

    public bool Claims(DiscoveryTarget target) => target.BaseAddress is not null && Platform(target.Upstream) is not null;

    public async Task<SourceResult> DiscoverAsync(DiscoveryTarget target, CancellationToken cancellationToken)
    {
        var platform = Platform(target.Upstream)!;
        var baseAddress = target.BaseAddress!;
        var source = $"{platform} listing at {baseAddress.Authority}";
        try
        {
            var functions = platform switch
            {
                "openfaas" => Names(await GetJsonAsync(new Uri(baseAddress, "/system/functions"), cancellationToken).ConfigureAwait(false), "/system/functions", "name")
                    .Select(n => Function(n, new { function_name = n })).ToList(),
                "fission" => Names(await GetJsonAsync(new Uri(baseAddress, "/v2/functions"), cancellationToken).ConfigureAwait(false), "/v2/functions", "metadata.name")
                    .Select(n => Function(n, new { function_name = n })).ToList(),
                _ => await FnRoutesAsync(baseAddress, cancellationToken).ConfigureAwait(false),
            };
            return new SourceResult
            {
                Outcome = SourceOutcome.Found,
                Source = source,
                ServiceInfo = new ServiceInfo { Type = platform },
                Functions = [.. functions.DistinctBy(f => f.Name).OrderBy(f => f.Name, StringComparer.Ordinal)],
            };
        }
        catch (DiscoveryException exception)
        {
            return SourceResult.Failed(source, $"{source}: {exception.Message}");
        }
    }

    /// <summary>
    /// Fn's v1 API: every app (<c>GET /v1/apps</c>), then every route of each
    /// (<c>GET /v1/apps/&lt;app&gt;/routes</c>); both lists are pages that name the next one in
    /// <c>next_cursor</c>, fetched with <c>?cursor=</c>, at most <see cref="MaxPages"/> in all.
    /// </summary>
    private async Task<List<UpstreamFunction>> FnRoutesAsync(Uri baseAddress, CancellationToken cancellationToken)
    {
        var pages = 0;
        var functions = new List<UpstreamFunction>();
        foreach (var app in await FnPagesAsync(baseAddress, "/v1/apps", "apps", "name", () => ++pages, cancellationToken).ConfigureAwait(false))
        {
            var path = $"/v1/apps/{Uri.EscapeDataString(app)}/routes";
            foreach (var route in await FnPagesAsync(baseAddress, path, "routes", "path", () => ++pages, cancellationToken).ConfigureAwait(false))
            {
                functions.Add(Function($"{app}{route.Replace('/', '.')}", new { app, route }));
            }
        }
        return functions;
    }

    /// <summary>Listings follow at most this many pages in all, as Lambda's do: a listing that never ends is refused.</summary>
    private const int MaxPages = 100;

    private async Task<List<string>> FnPagesAsync(Uri baseAddress, string path, string property, string field, Func<int> countPage, CancellationToken cancellationToken)
    {
        var names = new List<string>();
        string? cursor = null;
        do
        {
            if (countPage() > MaxPages)
            {
                throw new DiscoveryException($"GET {path} went on for more than {MaxPages} pages");
            }
            var page = await GetJsonAsync(new Uri(baseAddress, cursor is null ? path : $"{path}?cursor={Uri.EscapeDataString(cursor)}"), cancellationToken).ConfigureAwait(false);
            names.AddRange(Names(Property(page, property, path), path, field));
            cursor = page.TryGetProperty("next_cursor", out var next) && next.ValueKind == JsonValueKind.String && next.GetString() is { Length: > 0 } more ? more : null;
        }
        while (cursor is not null);
        return names;
    }

    private static UpstreamFunction Function<T>(string name, T spec) => new() { Name = name, Spec = JsonStructs.From(spec) };

    private async Task<JsonElement> GetJsonAsync(Uri uri, CancellationToken cancellationToken)
    {
        var answer = await http.GetAsync(uri, cancellationToken).ConfigureAwait(false);
        if (!answer.IsSuccess)
        {
            throw new DiscoveryException($"GET {uri.AbsolutePath} answered {(int)answer.Status}");
        }
        try
        {
            using var document = JsonDocument.Parse(answer.Body);
            return document.RootElement.Clone();
        }
        catch (JsonException exception)
        {
            throw new DiscoveryException($"GET {uri.AbsolutePath} answered something that is not JSON: {exception.Message}");
        }
    }

    private static JsonElement Property(JsonElement root, string name, string path) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var value)
            ? value
            : throw new DiscoveryException($"GET {path} answered JSON without '{name}'");

    /// <summary>The string at <paramref name="field"/> (dotted) of every item of a JSON list.</summary>
    private static IEnumerable<string> Names(JsonElement list, string path, string field)
    {
        if (list.ValueKind != JsonValueKind.Array)
        {
            throw new DiscoveryException($"GET {path} answered JSON that is not a list of functions");
        }
        var names = new List<string>();
        foreach (var item in list.EnumerateArray())
        {
            var value = item;
            foreach (var part in field.Split('.'))
            {
                if (value.ValueKind != JsonValueKind.Object || !value.TryGetProperty(part, out value))
                {
                    throw new DiscoveryException($"GET {path} lists an item without '{field}'");
                }
            }
            if (value.ValueKind != JsonValueKind.String || value.GetString() is not { Length: > 0 } name)
            {
                throw new DiscoveryException($"GET {path} lists an item whose '{field}' is not a name");
            }
            names.Add(name);
        }
        return names;
    }

    private static string? Platform(Upstream upstream)
    {
        if (DiscoveryAnnotations.Get(upstream, DiscoveryAnnotations.Listing) is { } listing)
        {
            return listing.ToLowerInvariant() is var platform && platform is "openfaas" or "fission" or "fn" ? platform : null;
        }
        if (upstream.Type != "kubernetes")
        {
            return null;
        }
        var spec = upstream.Spec.Root;
        var name = spec.TryGetProperty("service_name", out var n) ? n.GetString() : null;
        var ns = spec.TryGetProperty("service_namespace", out var s) ? s.GetString() : null;
        return (ns, name) switch
        {
            ("openfaas", "gateway") => "openfaas",
            ("fission", "controller") => "fission",
            (_, { } service) when service.EndsWith("-fn-api", StringComparison.Ordinal) => "fn",
            _ => null,
        };
    }
}
