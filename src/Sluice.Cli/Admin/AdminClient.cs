using System.Net;
using System.Text.Json.Nodes;

namespace Sluice.Cli.Admin;

/// <summary>
/// Reads the admin API of a running gateway. Answers that say "not here" (404) come back as null;
/// a gateway that cannot be reached is an <see cref="AdminUnreachableException"/> naming the URL.
/// </summary>
internal sealed class AdminClient(Uri baseUri) : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false, ConnectTimeout = TimeSpan.FromSeconds(2) })
    {
        BaseAddress = baseUri,
        Timeout = TimeSpan.FromSeconds(5),
    };

    public Uri BaseUri { get; } = baseUri;

    /// <summary>The body as JSON; null on 404. Any other status still yields its body (<c>/readyz/detail</c> answers 503 with JSON).</summary>
    public async Task<JsonNode?> GetJsonAsync(string path, CancellationToken cancellationToken)
    {
        var text = await GetTextAsync(path, cancellationToken);
        if (text is null)
        {
            return null;
        }
        try
        {
            return JsonNode.Parse(text);
        }
        catch (System.Text.Json.JsonException)
        {
            throw new AdminUnreachableException($"{new Uri(BaseUri, path)} did not answer JSON: is {BaseUri} a sluice admin API?");
        }
    }

    public async Task<string?> GetTextAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await _http.GetAsync(path, cancellationToken);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }
            return await response.Content.ReadAsStringAsync(cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new AdminUnreachableException($"the admin API at {BaseUri} could not be reached ({e.Message}); is the gateway running? (set --admin-url)");
        }
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>The admin API did not answer.</summary>
internal sealed class AdminUnreachableException(string message) : Exception(message);
