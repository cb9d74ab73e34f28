using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;

namespace Sluice.Kubernetes;

/// <summary>
/// JSON requests to the API server. The official client finds the cluster (in-cluster service
/// account, <c>KUBECONFIG</c>, <c>~/.kube/config</c>), builds the TLS handler and supplies the
/// credentials; requests go out raw because custom resources here are untyped JSON and the
/// watch loop needs the resourceVersion, bookmark and 410 handling spelled out.
/// </summary>
internal sealed class KubernetesApi : IDisposable
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private readonly k8s.Kubernetes _client;
    private readonly HttpClient _http;

    public KubernetesApi(KubernetesClientConfiguration configuration)
    {
        // Watches stay open for minutes; each call carries its own cancellation instead.
        configuration.HttpClientTimeout = Timeout.InfiniteTimeSpan;
        _client = new k8s.Kubernetes(configuration);
        _http = _client.HttpClient;
        BaseUri = _client.BaseUri;
    }

    public Uri BaseUri { get; }

    /// <summary>The cluster the options name: a kubeconfig file, else the client's default search (KUBECONFIG, ~/.kube/config, in-cluster).</summary>
    public static KubernetesClientConfiguration Configure(KubernetesStoreOptions options)
    {
        if (options.Kubeconfig is { } path)
        {
            return File.Exists(path)
                ? KubernetesClientConfiguration.BuildConfigFromConfigFile(path)
                : throw new FileNotFoundException($"kubeconfig '{path}' does not exist", path);
        }
        return KubernetesClientConfiguration.BuildDefaultConfig();
    }

    public async Task<JsonObject?> GetAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, path, null, null, HttpCompletionOption.ResponseContentRead, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        return await ReadAsync(response, cancellationToken);
    }

    /// <summary>POST, PUT or PATCH (merge patch) of a JSON body; the answer's object.</summary>
    public async Task<JsonObject> WriteAsync(HttpMethod method, string path, JsonObject body, CancellationToken cancellationToken)
    {
        var contentType = method == HttpMethod.Patch ? new MediaTypeHeaderValue("application/merge-patch+json") : Json;
        using var response = await SendAsync(method, path, body.ToJsonString(), contentType, HttpCompletionOption.ResponseContentRead, cancellationToken);
        return await ReadAsync(response, cancellationToken);
    }

    public async Task DeleteAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Delete, path, null, null, HttpCompletionOption.ResponseContentRead, cancellationToken);
        await ReadAsync(response, cancellationToken);
    }

    /// <summary>
    /// The events of a watch, one JSON object per line, until the server ends the stream (or
    /// cuts it). An error status on the request itself throws <see cref="KubernetesApiException"/>.
    /// </summary>
    public async IAsyncEnumerable<JsonObject> WatchAsync(string path, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, path, null, null, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            await ReadAsync(response, cancellationToken);
        }
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken), Encoding.UTF8);
        while (true)
        {
            string? line;
            try
            {
                line = await reader.ReadLineAsync(cancellationToken);
            }
            catch (Exception e) when (e is IOException or HttpRequestException)
            {
                // A cut stream ends the watch like a closed one: the caller resumes from its last version.
                yield break;
            }
            if (line is null)
            {
                yield break;
            }
            if (line.Length == 0)
            {
                continue;
            }
            JsonObject? item;
            try
            {
                item = JsonNode.Parse(line) as JsonObject;
            }
            catch (JsonException)
            {
                // A line cut in the middle: same as a cut stream.
                yield break;
            }
            if (item is not null)
            {
                yield return item;
            }
        }
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? body, MediaTypeHeaderValue? contentType, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(BaseUri, path));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = contentType;
        }
        if (_client.Credentials is { } credentials)
        {
            await credentials.ProcessHttpRequestAsync(request, cancellationToken);
        }
        return await _http.SendAsync(request, completion, cancellationToken);
    }

    private static async Task<JsonObject> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        JsonObject? body = null;
        try
        {
            body = text.Length == 0 ? null : JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException)
        {
            // Not JSON (a proxy's error page): reported below by status code.
        }
        if (!response.IsSuccessStatusCode)
        {
            var message = body?["message"]?.GetValue<string>() ?? $"{(int)response.StatusCode} {response.ReasonPhrase}";
            throw new KubernetesApiException(response.StatusCode, message);
        }
        return body ?? [];
    }

    public void Dispose()
    {
        _client.Dispose();
    }
}
