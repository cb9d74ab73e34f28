using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Sluice.Plan;
using Sluice.Security;

namespace Sluice.Gateway;

/// <summary>
/// A cluster at run time: its plan, one pooled HTTP client, and the endpoints to pick from.
/// Kept across reloads while the cluster's plan stays equal, so its connections survive.
/// </summary>
internal sealed class ClusterState : IAsyncDisposable
{
    private readonly EndpointState[] _endpoints;
    private readonly HealthChecker? _healthChecker;
    private volatile EndpointState[] _healthyEndpoints;
    private readonly Dictionary<string, IInvoker> _functionInvokers = new(StringComparer.Ordinal);
    private uint _next;
    private int _activeRequests;
    private int _activeRetries;
    private long _nextReadmission = long.MaxValue;
    private readonly Lock _ejectionLock = new();

    public ClusterState(ClusterPlan plan, ILoggerFactory loggerFactory)
    {
        Plan = plan;
        _endpoints = plan.Endpoints.Select(e => new EndpointState(e, plan)).ToArray();
        _healthyEndpoints = _endpoints;
        Client = new HttpMessageInvoker(CreateHandler(plan));
        if (plan.HealthCheck is { } healthCheck && _endpoints.Length > 0)
        {
            _healthChecker = new HealthChecker(this, healthCheck, loggerFactory.CreateLogger<HealthChecker>());
        }
        var services = new InvokerServices(plan, Client, loggerFactory);
        Invoker = plan.Invoker?.CreateInvoker(services);
        foreach (var function in plan.Functions)
        {
            if (function.Invoker is not null)
            {
                _functionInvokers[function.Name] = function.Invoker.CreateInvoker(services);
            }
        }
    }

    public ClusterPlan Plan { get; }

    public HttpMessageInvoker Client { get; }

    /// <summary>The upstream plugin's invoker; null when requests are forwarded to the endpoints.</summary>
    public IInvoker? Invoker { get; }

    /// <summary>Who serves a request for <paramref name="function"/>: its own invoker, else the cluster's.</summary>
    public IInvoker? InvokerFor(string? function) =>
        function is not null && _functionInvokers.TryGetValue(function, out var invoker) ? invoker : Invoker;

    public bool HasEndpoints => _endpoints.Length > 0;

    public IReadOnlyList<EndpointState> Endpoints => _endpoints;

    /// <summary>
    /// Picks an endpoint by the cluster's policy among the healthy ones. When none is healthy,
    /// all of them are candidates (Envoy's panic mode): a health check that fails everywhere more
    /// likely broke than every endpoint did, and answering beats refusing.
    /// </summary>
    public EndpointState NextEndpoint()
    {
        var all = _endpoints;
        if (all.Length == 1)
        {
            return all[0];
        }
        if (Plan.OutlierDetection is not null && Stopwatch.GetTimestamp() >= Volatile.Read(ref _nextReadmission))
        {
            HealthChanged();
        }
        var healthy = _healthyEndpoints;
        var candidates = healthy.Length > 0 ? healthy : all;
        return Plan.LoadBalancing switch
        {
            LoadBalancingPolicy.Random => candidates[Random.Shared.Next(candidates.Length)],
            LoadBalancingPolicy.LeastRequest => LeastLoaded(candidates),
            LoadBalancingPolicy.PowerOfTwo => PowerOfTwo(candidates),
            // Round robin also moves a retry on to the next endpoint.
            _ => candidates[Interlocked.Increment(ref _next) % (uint)candidates.Length],
        };
    }

    /// <summary>
    /// Admits a request under the circuit breakers (requests in flight, and requests waiting for a
    /// connection beyond those every connection carries); false = answer 503 at once.
    /// Pair with <see cref="Release"/>.
    /// </summary>
    public bool TryAdmit()
    {
        var active = Interlocked.Increment(ref _activeRequests);
        var limits = Plan.CircuitBreakers;
        if (limits is not null
            && (active > limits.MaxRequests
                || (limits is { MaxConnections: { } connections, MaxPendingRequests: { } pending } && active > connections * _endpoints.Length + pending)))
        {
            Interlocked.Decrement(ref _activeRequests);
            return false;
        }
        return true;
    }

    public void Release() => Interlocked.Decrement(ref _activeRequests);

    /// <summary>Whether another retry fits under <c>max_retries</c> (checked before an attempt; approximate under races, as Envoy's is).</summary>
    public bool RetryAllowed => Plan.CircuitBreakers?.MaxRetries is not { } max || Volatile.Read(ref _activeRetries) < max;

    public void RetryStarted() => Interlocked.Increment(ref _activeRetries);

    public void RetryEnded() => Interlocked.Decrement(ref _activeRetries);

    /// <summary>
    /// Recomputes the set of usable endpoints when a health check or an ejection changes, and
    /// notes when the next ejection ends (a request after that moment recomputes it again).
    /// </summary>
    internal void HealthChanged()
    {
        var now = Stopwatch.GetTimestamp();
        _healthyEndpoints = _endpoints.Where(e => e.IsHealthy && !e.IsEjected(now)).ToArray();
        var ejections = _endpoints.Select(e => e.EjectedUntil).Where(until => until > now);
        Volatile.Write(ref _nextReadmission, ejections.DefaultIfEmpty(long.MaxValue).Min());
    }

    /// <summary>Outlier detection: what one attempt to <paramref name="endpoint"/> came to.</summary>
    public void Record(EndpointState endpoint, AttemptOutcome outcome)
    {
        if (Plan.OutlierDetection is not { } outliers || outcome == AttemptOutcome.Unknown)
        {
            return;
        }
        var eject = outcome switch
        {
            AttemptOutcome.Success => Succeeded(endpoint),
            AttemptOutcome.ServerError => outliers.Consecutive5xx > 0 && endpoint.Failed5xx() >= outliers.Consecutive5xx,
            _ => outliers.ConsecutiveConnectFailures > 0 && endpoint.FailedToConnect() >= outliers.ConsecutiveConnectFailures,
        };
        if (eject)
        {
            TryEject(endpoint, outliers);
        }
    }

    private static bool Succeeded(EndpointState endpoint)
    {
        endpoint.Succeeded();
        return false;
    }

    private void TryEject(EndpointState endpoint, OutlierDetectionPlan outliers)
    {
        lock (_ejectionLock)
        {
            var now = Stopwatch.GetTimestamp();
            if (endpoint.IsEjected(now))
            {
                return;
            }
            // Envoy's rule: the percentage caps ejections, but one endpoint may always go.
            var allowed = Math.Max(1, _endpoints.Length * outliers.MaxEjectionPercent / 100);
            if (_endpoints.Count(e => e.IsEjected(now)) >= allowed)
            {
                return;
            }
            endpoint.Ejections++;
            endpoint.EjectedUntil = now + (long)(outliers.BaseEjectionTime.TotalSeconds * endpoint.Ejections * Stopwatch.Frequency);
            endpoint.Succeeded();
            HealthChanged();
        }
    }

    /// <summary>The endpoint with the fewest requests in flight; ties take turns.</summary>
    private EndpointState LeastLoaded(EndpointState[] candidates)
    {
        var fewest = int.MaxValue;
        var ties = 0;
        EndpointState first = candidates[0];
        foreach (var candidate in candidates)
        {
            var active = candidate.ActiveRequests;
            if (active < fewest)
            {
                (fewest, ties, first) = (active, 1, candidate);
            }
            else if (active == fewest)
            {
                ties++;
            }
        }
        var turn = (int)(Interlocked.Increment(ref _next) % (uint)ties);
        foreach (var candidate in candidates)
        {
            if (candidate.ActiveRequests == fewest && turn-- == 0)
            {
                return candidate;
            }
        }
        // Counts moved between the two passes (requests run concurrently): the first pass's pick is fine.
        return first;
    }

    private static EndpointState PowerOfTwo(EndpointState[] candidates)
    {
        var first = candidates[Random.Shared.Next(candidates.Length)];
        var second = candidates[Random.Shared.Next(candidates.Length)];
        return second.ActiveRequests < first.ActiveRequests ? second : first;
    }

    public async ValueTask DisposeAsync()
    {
        if (_healthChecker is not null)
        {
            await _healthChecker.DisposeAsync();
        }
        foreach (var invoker in _functionInvokers.Values.Append(Invoker))
        {
            if (invoker is IAsyncDisposable disposable)
            {
                await disposable.DisposeAsync();
            }
        }
        Client.Dispose();
    }

    /// <summary>Proxy-safe settings: no ambient proxy, redirects, decompression or cookies.</summary>
    private static SocketsHttpHandler CreateHandler(ClusterPlan plan)
    {
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            ConnectTimeout = plan.ConnectTimeout,
            MaxConnectionsPerServer = plan.CircuitBreakers?.MaxConnections ?? int.MaxValue,
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
            // Tracing headers are the gateway's own business, not the handler's.
            ActivityHeadersPropagator = null,
        };
        if (plan.UseTls)
        {
            handler.ConnectCallback = TlsConnector(plan);
        }
        return handler;
    }

    /// <summary>
    /// TLS to the upstream, done here rather than by the handler: the handler would take the SNI
    /// name from the Host header, and Sluice keeps the client's Host while sending the upstream's
    /// own name (or <c>tls.sni</c>) as SNI, as Envoy did. The handler then speaks plain HTTP/1.1
    /// (or HTTP/2 with prior knowledge, for <c>use_http2</c>) over the encrypted stream, which
    /// is why endpoint URLs stay <c>http://</c>.
    /// </summary>
    private static Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> TlsConnector(ClusterPlan plan)
    {
        X509Certificate2Collection? authorities = null;
        if (plan.Tls?.RootCaPem is { } rootCa)
        {
            authorities = [];
            authorities.ImportFromPem(rootCa);
        }
        X509CertificateCollection? clientCertificates = null;
        if (plan.Tls is { ClientCertificatePem: { } certificatePem, ClientKeyPem: { } keyPem })
        {
            using var ephemeral = X509Certificate2.CreateFromPem(certificatePem, keyPem);
            // Reloaded from PKCS#12: TLS client authentication wants a key it can persist.
            clientCertificates = [X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pkcs12), null)];
        }
        var protocols = new List<SslApplicationProtocol> { plan.UseHttp2 ? SslApplicationProtocol.Http2 : SslApplicationProtocol.Http11 };

        return async (context, cancellationToken) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                var tls = new SslStream(new NetworkStream(socket, ownsSocket: true));
                await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                {
                    TargetHost = plan.TlsServerName ?? context.DnsEndPoint.Host,
                    ApplicationProtocols = protocols,
                    ClientCertificates = clientCertificates,
                    EnabledSslProtocols = TlsContext.SupportedProtocols,
                    RemoteCertificateValidationCallback = authorities is null ? null : (_, certificate, chain, errors) => ChainsTo(authorities, certificate, chain, errors),
                }, cancellationToken);
                return tls;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        };
    }

    /// <summary>
    /// Upstream verification against a configured CA: the chain must end there, and the name must
    /// match (the only policy error the custom trust does not cover).
    /// </summary>
    private static bool ChainsTo(X509Certificate2Collection authorities, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        return certificate is not null
            && !errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch)
            && CustomTrust.ChainsTo(authorities, certificate, chain);
    }
}
