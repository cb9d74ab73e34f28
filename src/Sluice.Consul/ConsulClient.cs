using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Sluice.Api;
using Sluice.Plan;

namespace Sluice.Consul;

/// <summary>
/// The two reads Sluice makes of Consul's HTTP API, both as blocking queries: with an
/// <c>index</c> from a previous answer the agent holds the request until its data moves past that
/// index or <see cref="ConsulOptions.Wait"/> runs out, and every answer carries the index to wait
/// on next in <c>X-Consul-Index</c>. Index 0 reads at once. No .NET Consul client restores here,
/// and these two GETs are all Sluice needs, so it calls the API with <see cref="HttpClient"/>
/// (see README.md).
/// </summary>
internal sealed class ConsulClient : IDisposable
{
    /// <summary>Past the wait: Consul adds up to wait/16 of jitter, and a busy agent may answer late.</summary>
    private static readonly TimeSpan AnswerMargin = TimeSpan.FromSeconds(10);

    private readonly HttpClient _http;
    private readonly ConsulOptions _options;

    public ConsulClient(ConsulOptions options)
    {
        _options = options;
        // Each watched service holds one connection for its blocking query, so the timeout is
        // per request (below), not the client's 100 s default.
        _http = new HttpClient(new SocketsHttpHandler()) { BaseAddress = options.Address, Timeout = Timeout.InfiniteTimeSpan };
        if (!string.IsNullOrEmpty(options.Token))
        {
            _http.DefaultRequestHeaders.Add("X-Consul-Token", options.Token);
        }
        _http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
    }

    /// <summary>
    /// The endpoints of <paramref name="service"/>'s instances that pass every health check
    /// (<c>passing=true</c>: a warning or critical check on the instance or its node leaves it
    /// out) and carry all of <paramref name="tags"/>, in <paramref name="dataCenter"/> (null: the agent's).
    /// </summary>
    public Task<ConsulAnswer<ValueList<EndpointPlan>>> PassingEndpointsAsync(string service, IReadOnlyList<string> tags, string? dataCenter, ulong index, CancellationToken cancellationToken)
    {
        List<(string, string)> parameters = [("passing", "true"), .. tags.Select(tag => ("tag", tag))];
        return GetAsync("v1/health/service/" + Uri.EscapeDataString(service), parameters, dataCenter, index, HealthEntries.Endpoints, cancellationToken);
    }

    /// <summary>The names of every service in the catalog of <paramref name="dataCenter"/> (null: the agent's).</summary>
    public Task<ConsulAnswer<ValueList<string>>> ServicesAsync(string? dataCenter, ulong index, CancellationToken cancellationToken) =>
        GetAsync("v1/catalog/services", [], dataCenter, index, ReadServiceNames, cancellationToken);

    private async Task<ConsulAnswer<T>> GetAsync<T>(string path, List<(string Key, string Value)> parameters, string? dataCenter, ulong index, Func<JsonElement, T> read, CancellationToken cancellationToken)
    {
        if (dataCenter is not null)
        {
            parameters.Add(("dc", dataCenter));
        }
        var timeout = AnswerMargin;
        if (index > 0)
        {
            parameters.Add(("index", index.ToString(CultureInfo.InvariantCulture)));
            parameters.Add(("wait", ((long)_options.Wait.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "ms"));
            timeout += _options.Wait + (_options.Wait / 16);
        }
        var query = parameters.Count == 0 ? path : path + "?" + string.Join("&", parameters.Select(p => p.Key + "=" + Uri.EscapeDataString(p.Value)));
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            using var response = await _http.GetAsync(query, HttpCompletionOption.ResponseContentRead, deadline.Token).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(deadline.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new ConsulException($"{(int)response.StatusCode} {response.ReasonPhrase}: {Shorten(body)}");
            }
            if (!response.Headers.TryGetValues("X-Consul-Index", out var values)
                || !ulong.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var next))
            {
                throw new ConsulException("the answer has no X-Consul-Index header (is this a Consul agent?)");
            }
            using var json = JsonDocument.Parse(body);
            return new ConsulAnswer<T>(read(json.RootElement), next);
        }
        catch (JsonException e)
        {
            throw new ConsulException($"the answer is not JSON: {e.Message}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ConsulException($"no answer within {timeout.TotalSeconds:0} s");
        }
    }

    /// <summary>The catalog answers an object of service name to tags; only the names are needed.</summary>
    private static ValueList<string> ReadServiceNames(JsonElement services)
    {
        if (services.ValueKind != JsonValueKind.Object)
        {
            throw new ConsulException("the catalog answer is not a JSON object");
        }
        return new(services.EnumerateObject().Select(s => s.Name).Order(StringComparer.Ordinal));
    }

    private static string Shorten(string body)
    {
        var line = body.ReplaceLineEndings(" ").Trim();
        return line.Length <= 200 ? line : line[..200] + "…";
    }

    public void Dispose() => _http.Dispose();
}
