using System.Net;

namespace Sluice.Discovery;

/// <summary>
/// The HTTP client discovery probes with: no proxy, no redirects to other hosts, a timeout per
/// request, and bodies read only up to a limit, so a huge or endless answer costs at most that.
/// Every request carries <c>x-sluice-discovery</c>, so a backend's logs can tell probes apart.
/// </summary>
public sealed class DiscoveryHttp : IDisposable
{
    public const string ProbeHeader = "x-sluice-discovery";

    private readonly HttpClient _client;
    private readonly DiscoveryOptions _options;

    public DiscoveryHttp(DiscoveryOptions options, HttpMessageHandler? handler = null)
    {
        _options = options;
        _client = new HttpClient(handler ?? new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.All,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    /// <summary>Sends a request and reads the whole answer, within the time and size limits.</summary>
    public async Task<HttpAnswer> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.TryAddWithoutValidation(ProbeHeader, "function-discovery");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.RequestTimeout);
        try
        {
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            var limit = _options.MaxDocumentBytes;
            if (response.Content.Headers.ContentLength is { } length && length > limit)
            {
                throw new DiscoveryException($"{request.RequestUri} answered {length} bytes, more than the {Describe(limit)} limit");
            }
            await using var stream = await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false);
            using var buffer = new MemoryStream();
            var chunk = new byte[81920];
            int read;
            while ((read = await stream.ReadAsync(chunk, timeout.Token).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > limit)
                {
                    throw new DiscoveryException($"{request.RequestUri} answered more than the {Describe(limit)} limit");
                }
                buffer.Write(chunk, 0, read);
            }
            var errorType = response.Headers.TryGetValues("x-amzn-ErrorType", out var values) ? string.Join(",", values) : null;
            return new HttpAnswer(response.StatusCode, response.Content.Headers.ContentType?.MediaType, buffer.ToArray(), errorType);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new DiscoveryException($"{request.RequestUri} did not answer within {_options.RequestTimeout.TotalSeconds:0.#} s");
        }
        catch (HttpRequestException exception)
        {
            throw new DiscoveryException($"{request.RequestUri}: {exception.Message}");
        }
    }

    public Task<HttpAnswer> GetAsync(Uri uri, CancellationToken cancellationToken) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, uri), cancellationToken);

    public void Dispose() => _client.Dispose();

    internal static string Describe(long bytes) => bytes >= 1024 * 1024 ? $"{bytes / (1024 * 1024)} MB" : $"{bytes} bytes";
}
