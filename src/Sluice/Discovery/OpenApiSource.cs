using System.Net;
using System.Text;
using Sluice.Api;

namespace Sluice.Discovery;

/// <summary>
/// REST functions from an OpenAPI or Swagger document: the one an annotation names (a URL, or
/// the document inline), else the first found on the probe paths. A 404 everywhere is "nothing
/// found"; a document that is there but broken is a failure naming the document and the fault.
/// </summary>
internal sealed partial class OpenApiSource(DiscoveryHttp http, DiscoveryOptions options) : IFunctionSource
{
    private readonly OpenApiDocumentReader _reader = new(http);

    public string Name => "openapi";

    public bool Claims(DiscoveryTarget target) =>
        DiscoveryAnnotations.DocumentUrl(target.Upstream) is not null
        || DiscoveryAnnotations.InlineDocument(target.Upstream) is not null
        || (target.BaseAddress is not null && !GrpcReflectionSource.SpeaksGrpc(target.Upstream));

    public async Task<SourceResult> DiscoverAsync(DiscoveryTarget target, CancellationToken cancellationToken)
    {
        var upstream = target.Upstream;
        if (DiscoveryAnnotations.InlineDocument(upstream) is { } inline)
        {
            var location = target.BaseAddress ?? new Uri("http://localhost/");
            return await BuildAsync(Encoding.UTF8.GetBytes(inline), location, "inline document (annotation)", cancellationToken).ConfigureAwait(false);
        }
        if (DiscoveryAnnotations.DocumentUrl(upstream) is { } url)
        {
            if (!Uri.TryCreate(target.BaseAddress, url, out var location) || location.Scheme is not ("http" or "https"))
            {
                return SourceResult.Failed(url, $"OpenAPI URL '{url}' is neither an http(s) URL nor a path on an upstream with an address");
            }
            try
            {
                var answer = await http.GetAsync(location, cancellationToken).ConfigureAwait(false);
                return answer.IsSuccess
                    ? await BuildAsync(answer.Body, location, location.ToString(), cancellationToken).ConfigureAwait(false)
                    : SourceResult.Failed(location.ToString(), $"GET {location} answered {(int)answer.Status}");
            }
            catch (DiscoveryException exception)
            {
                return SourceResult.Failed(location.ToString(), exception.Message);
            }
        }
        return await ProbeAsync(target.BaseAddress!, cancellationToken).ConfigureAwait(false);
    }

    private async Task<SourceResult> ProbeAsync(Uri baseAddress, CancellationToken cancellationToken)
    {
        foreach (var path in options.ProbePaths)
        {
            var location = new Uri(baseAddress, path);
            HttpAnswer answer;
            try
            {
                answer = await http.GetAsync(location, cancellationToken).ConfigureAwait(false);
            }
            catch (DiscoveryException exception)
            {
                // Nothing listening, or hanging: the other paths would fare no better.
                return SourceResult.Failed(baseAddress.ToString(), exception.Message);
            }
            if (answer.Status == HttpStatusCode.OK && LooksLikeOpenApi(answer.Body))
            {
                return await BuildAsync(answer.Body, location, location.ToString(), cancellationToken).ConfigureAwait(false);
            }
        }
        return SourceResult.NothingFound(baseAddress.ToString(),
            $"no OpenAPI document on {baseAddress} (probed {string.Join(", ", options.ProbePaths)})");
    }

    private async Task<SourceResult> BuildAsync(byte[] bytes, Uri location, string source, CancellationToken cancellationToken)
    {
        try
        {
            var document = await _reader.ReadAsync(bytes, location, cancellationToken).ConfigureAwait(false);
            var (functions, problems) = OpenApiFunctionBuilder.Build(document);
            return new SourceResult
            {
                Outcome = SourceOutcome.Found,
                Source = source,
                ServiceInfo = new ServiceInfo { Type = "REST" },
                Functions = functions,
                Problems = problems,
            };
        }
        catch (DiscoveryException exception)
        {
            return SourceResult.Failed(source, exception.Message);
        }
    }

    /// <summary>
    /// A 200 on a probe path may be a UI page or anything else: only an answer that names an
    /// OpenAPI or Swagger version counts (and then, if broken, is reported as broken).
    /// </summary>
    private static bool LooksLikeOpenApi(byte[] body) =>
        VersionKey().IsMatch(Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 4096)));

    /// <summary>A top-level-looking <c>"openapi":</c> / <c>swagger:</c> key, JSON or YAML.</summary>
    [System.Text.RegularExpressions.GeneratedRegex("""(^|[{,\s])["']?(openapi|swagger)["']?\s*:""")]
    private static partial System.Text.RegularExpressions.Regex VersionKey();
}
