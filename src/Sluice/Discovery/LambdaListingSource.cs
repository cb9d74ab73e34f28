using System.Text.Json;
using Sluice.Api;
using Sluice.Plugins.Aws;
using Sluice.Translation;

namespace Sluice.Discovery;

/// <summary>
/// Lambda functions of an <c>aws</c> upstream from <c>ListFunctions</c> (every version), page
/// after page (<c>Marker</c>/<c>NextMarker</c>), signed with Sluice's SigV4 signer and the
/// upstream's own credentials, against its endpoint (AWS's for the region, or <c>spec.endpoint</c>).
/// Functions are named <c>&lt;FunctionName&gt;:&lt;Version&gt;</c> with spec
/// <c>{function_name, qualifier}</c>, the qualifier empty for <c>$LATEST</c> (reference §3.3).
/// </summary>
internal sealed class LambdaListingSource(DiscoveryHttp http, DiscoveryOptions options) : IFunctionSource
{
    private const string ListPath = "/2015-03-31/functions/";

    public string Name => "lambda";

    public bool Claims(DiscoveryTarget target) => target.Upstream.Type == "aws";

    public async Task<SourceResult> DiscoverAsync(DiscoveryTarget target, CancellationToken cancellationToken)
    {
        var diagnostics = new Diagnostics();
        var spec = AwsUpstreamSpec.Read(target.Upstream, new TranslationContext(target.Snapshot), diagnostics);
        if (spec is null)
        {
            return SourceResult.Failed("lambda", $"Lambda listing not attempted: {string.Join("; ", diagnostics.Errors)}");
        }
        var source = $"Lambda ListFunctions {spec.Endpoint.GetLeftPart(UriPartial.Authority)} ({spec.Region})";
        var signer = new SigV4Signer(spec.Credentials, spec.Region, "lambda");
        var functions = new List<UpstreamFunction>();
        string? marker = null;
        try
        {
            for (var page = 1; ; page++)
            {
                var query = marker is null ? "FunctionVersion=ALL" : $"FunctionVersion=ALL&Marker={Uri.EscapeDataString(marker)}";
                var answer = await http.SendAsync(Signed(signer, spec.Endpoint, query), cancellationToken).ConfigureAwait(false);
                if (!answer.IsSuccess)
                {
                    return SourceResult.Failed(source, $"{source} refused (page {page}): {(int)answer.Status} {Error(answer)}");
                }
                marker = ReadPage(answer.Body, functions, source, page);
                if (marker is null)
                {
                    break;
                }
                if (page >= options.MaxPages)
                {
                    return SourceResult.Failed(source, $"{source} has more than {options.MaxPages} pages; stopped listing");
                }
            }
        }
        catch (DiscoveryException exception)
        {
            return SourceResult.Failed(source, exception.Message);
        }
        return new SourceResult
        {
            Outcome = SourceOutcome.Found,
            Source = source,
            Functions = [.. functions.DistinctBy(f => f.Name).OrderBy(f => f.Name, StringComparer.Ordinal)],
        };
    }

    private HttpRequestMessage Signed(SigV4Signer signer, Uri endpoint, string query)
    {
        var host = endpoint.IsDefaultPort ? endpoint.Host : $"{endpoint.Host}:{endpoint.Port}";
        var signature = signer.Sign("GET", ListPath, query, [new("host", host)], [], options.Time.GetUtcNow().UtcDateTime);
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(endpoint, ListPath + "?" + query));
        request.Headers.TryAddWithoutValidation("authorization", signature.Authorization);
        request.Headers.TryAddWithoutValidation("x-amz-date", signature.AmzDate);
        if (signature.SecurityToken is { } token)
        {
            request.Headers.TryAddWithoutValidation("x-amz-security-token", token);
        }
        return request;
    }

    /// <summary>Adds the page's functions; returns <c>NextMarker</c> (null on the last page).</summary>
    private static string? ReadPage(byte[] body, List<UpstreamFunction> functions, string source, int page)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (!document.RootElement.TryGetProperty("Functions", out var list) || list.ValueKind != JsonValueKind.Array)
            {
                throw new DiscoveryException($"{source} page {page} has no Functions list");
            }
            foreach (var item in list.EnumerateArray())
            {
                var name = item.TryGetProperty("FunctionName", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
                var version = item.TryGetProperty("Version", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : "$LATEST";
                if (string.IsNullOrEmpty(name))
                {
                    throw new DiscoveryException($"{source} page {page} lists a function without FunctionName");
                }
                var qualifier = version == "$LATEST" ? "" : version;
                functions.Add(new UpstreamFunction
                {
                    Name = $"{name}:{version}",
                    Spec = JsonStructs.From(new { function_name = name, qualifier }),
                });
            }
            return document.RootElement.TryGetProperty("NextMarker", out var next) && next.ValueKind == JsonValueKind.String && next.GetString() is { Length: > 0 } marker
                ? marker
                : null;
        }
        catch (JsonException exception)
        {
            throw new DiscoveryException($"{source} page {page} is not JSON: {exception.Message}");
        }
    }

    /// <summary>AWS's error type (the <c>x-amzn-ErrorType</c> header, or the body's <c>__type</c>/<c>Type</c>) and message, else the start of the body.</summary>
    private static string Error(HttpAnswer answer)
    {
        try
        {
            using var document = JsonDocument.Parse(answer.Body);
            var root = document.RootElement;
            string? Field(params string[] names) => root.ValueKind != JsonValueKind.Object ? null
                : names.Select(n => root.TryGetProperty(n, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null).FirstOrDefault(v => v is not null);
            // The header's "Type:more" form keeps only the type.
            var type = answer.ErrorType?.Split(':')[0] ?? Field("__type", "Type", "code");
            return string.Join(": ", new[] { type, Field("message", "Message") }.Where(p => !string.IsNullOrEmpty(p)));
        }
        catch (JsonException)
        {
            return System.Text.Encoding.UTF8.GetString(answer.Body, 0, Math.Min(answer.Body.Length, 200));
        }
    }
}
