using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Sluice.Discovery;

/// <summary>
/// Reads an OpenAPI 3.0/3.1 or Swagger 2.0 document, JSON or YAML, with Microsoft.OpenApi. A
/// <c>$ref</c> to another file is first inlined by <see cref="OpenApiBundler"/>, fetched relative
/// to the document from the same host only (an upstream's document must not make the gateway
/// fetch from anywhere else).
/// </summary>
internal sealed class OpenApiDocumentReader(DiscoveryHttp http)
{
    /// <summary>The document, or a <see cref="DiscoveryException"/> saying why not.</summary>
    public async Task<OpenApiDocument> ReadAsync(byte[] bytes, Uri location, CancellationToken cancellationToken)
    {
        var parsed = JsonOrYaml.Parse(bytes, location.ToString());
        if (parsed is not JsonObject)
        {
            throw new DiscoveryException($"{location} is not an OpenAPI document: not a JSON or YAML object");
        }
        var bundled = await new OpenApiBundler((uri, ct) => FetchAsync(uri, location, ct)).BundleAsync(parsed, location, cancellationToken).ConfigureAwait(false);
        var settings = new OpenApiReaderSettings { LoadExternalRefs = false, BaseUrl = location };
        ReadResult result;
        try
        {
            using var stream = new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(bundled), writable: false);
            result = await OpenApiDocument.LoadAsync(stream, OpenApiConstants.Json, settings, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            throw new DiscoveryException($"{location} is not a readable OpenAPI document: {exception.Message}");
        }
        var errors = result.Diagnostic?.Errors ?? [];
        if (result.Document is null || errors.Count > 0)
        {
            var first = errors.Take(3).Select(e => string.IsNullOrEmpty(e.Pointer) ? e.Message : $"{e.Pointer}: {e.Message}");
            throw new DiscoveryException($"{location} is not a valid OpenAPI document: {string.Join("; ", first)}");
        }
        return result.Document;
    }

    private async Task<byte[]> FetchAsync(Uri target, Uri document, CancellationToken cancellationToken)
    {
        if (!string.Equals(target.GetLeftPart(UriPartial.Authority), document.GetLeftPart(UriPartial.Authority), StringComparison.OrdinalIgnoreCase))
        {
            throw new DiscoveryException($"{target} is not on the document's own host ({document.Authority}), and only that host is asked");
        }
        var answer = await http.GetAsync(target, cancellationToken).ConfigureAwait(false);
        return answer.IsSuccess ? answer.Body : throw new DiscoveryException($"GET {target.AbsolutePath} answered {(int)answer.Status}");
    }
}
