using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Sluice.Gateway;
using Sluice.Gateway.Resilience;
using Sluice.Plan;
using Sluice.Telemetry;
using Sluice.Tests.Infrastructure;
using Yarp.ReverseProxy.Forwarder;

namespace Sluice.Tests.Gateway;

/// <summary>
/// Sluice's own request path (host lookup, route match, pipeline, destination pick, resilience
/// loop, telemetry with metrics) allocates nothing per request on the plain forward case. The
/// forwarder is a stub (it answers 200 synchronously): what YARP and HttpClient allocate to send
/// a request is theirs, measured by the bench. The request is served as Kestrel serves the
/// requests of one keep-alive connection: one HttpContext, one persistent-state dictionary.
/// Counts bytes on this thread, not time.
/// </summary>
[Collection(ProcessWideCollection.Name)]
public sealed class RequestPathAllocationTests
{
    [Fact]
    public async Task A_forwarded_request_allocates_nothing_in_Sluice()
    {
        var plans = new PlanHolder(NullLoggerFactory.Instance);
        plans.Apply(Plan(routes: 1_000));
        await using var telemetry = new GatewayTelemetry(new TracingOptions(), new AccessLogOptions(), new StatsdOptions(), NullLoggerFactory.Instance);
        // YARP's path, so the stub stands in for the forwarder.
        var services = new ProxyServices(new ResilientCaller(new StubForwarder(), new GatewayOptions { UpstreamClient = UpstreamClient.Yarp }), telemetry, 0);
        var middleware = new ProxyMiddleware(plans, services, new ErrorResponder(NullLogger<ErrorResponder>.Instance));
        var context = Connection();

        // The first requests on a connection make its kept state (and JIT the path).
        for (var i = 0; i < 50; i++)
        {
            await Serve(middleware, context);
        }
        const int Requests = 200;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Requests; i++)
        {
            var served = Serve(middleware, context);
            // Synchronous all the way: the stub completes, so the measurement stays on this thread.
            Assert.True(served.IsCompletedSuccessfully);
        }
        var perRequest = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)Requests;

        Assert.Equal(200, context.Response.StatusCode);
        Assert.True(perRequest == 0, $"Sluice's request path allocated {perRequest:F1} bytes per request");
    }

    /// <summary>
    /// The direct forwarder's own cost, on top of the path above: a plain GET through the whole
    /// pipeline to a real loopback backend on a pooled connection, answered with a small
    /// length-delimited body. Its awaits complete on thread-pool threads, so a per-thread count
    /// would miss them: the process-wide count over many sequential requests is divided by their
    /// number instead. The backend and this loop reuse their buffers (they allocate nothing per
    /// request), and the margin covers what the runtime allocates in the background meanwhile.
    /// </summary>
    [Fact]
    public async Task A_directly_forwarded_request_allocates_little()
    {
        await using var backend = await FixedAnswerBackend.StartAsync("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello"u8.ToArray());
        var plans = new PlanHolder(NullLoggerFactory.Instance);
        plans.Apply(Plan(routes: 1_000, backend.Port));
        await using var telemetry = new GatewayTelemetry(new TracingOptions(), new AccessLogOptions(), new StatsdOptions(), NullLoggerFactory.Instance);
        var services = new ProxyServices(new ResilientCaller(new StubForwarder(), new GatewayOptions { UpstreamClient = UpstreamClient.Direct }), telemetry, 0);
        var middleware = new ProxyMiddleware(plans, services, new ErrorResponder(NullLogger<ErrorResponder>.Instance));
        var context = Connection();
        context.Response.Body = Stream.Null;

        // Warm: the connection pooled, the path JIT-compiled through its tiers, the pooled state machines made.
        for (var i = 0; i < 2_000; i++)
        {
            await Serve(middleware, context);
        }
        const int Requests = 10_000;
        var before = GC.GetTotalAllocatedBytes(precise: true);
        for (var i = 0; i < Requests; i++)
        {
            await Serve(middleware, context);
        }
        var perRequest = (GC.GetTotalAllocatedBytes(precise: true) - before) / (double)Requests;

        Assert.Equal(200, context.Response.StatusCode);
        Assert.Equal("text/plain", context.Response.ContentType);
        Assert.True(backend.Requests >= 12_000, $"the backend saw {backend.Requests} requests");
        Assert.True(perRequest < MaxDirectBytesPerRequest, $"a directly forwarded request allocated {perRequest:F1} bytes");
    }

    /// <summary>
    /// Measured 190–290 B/request here: the middleware's own Task when the request completes
    /// asynchronously (Kestrel's <c>RequestDelegate</c> contract), the request headers' enumerator
    /// (boxed by <see cref="IHeaderDictionary"/>), and background runtime work. Before the
    /// resilience loop's state machine was pooled it was 440–850 B.
    /// </summary>
    private const int MaxDirectBytesPerRequest = 512;

    private static Task Serve(ProxyMiddleware middleware, HttpContext context)
    {
        context.Response.StatusCode = 200;
        context.Response.Headers.Clear();
        return middleware.InvokeAsync(context);
    }

    /// <summary>A keep-alive connection's context: Kestrel reuses it, and its persistent state, for each request.</summary>
    private static DefaultHttpContext Connection()
    {
        var context = new DefaultHttpContext();
        context.Features.Set<IPersistentStateFeature>(new PersistentState());
        context.Request.Method = "GET";
        context.Request.Scheme = "http";
        context.Request.Host = new HostString("example.com");
        context.Request.Path = "/r/500";
        context.Connection.RemoteIpAddress = IPAddress.Loopback;
        return context;
    }

    private static ProxyPlan Plan(int routes, int port = 9) => new()
    {
        VirtualHosts = new([new VirtualHostPlan
        {
            Name = "vs",
            Domains = new(["example.com"]),
            Routes = new(Enumerable.Range(0, routes).Select(i => new RoutePlan
            {
                Name = $"vs/{i}",
                Match = new RouteMatchPlan { PathKind = PathMatchKind.Prefix, Path = $"/r/{i}" },
                Destinations = new([new DestinationPlan { Cluster = "backend" }]),
            })),
        }]),
        Clusters = new([new ClusterPlan { Name = "backend", Endpoints = new([new EndpointPlan("127.0.0.1", port)]) }]),
    };

    /// <summary>An HTTP/1.1 upstream on a loopback socket that answers every request head with the same bytes, allocating nothing per request.</summary>
    private sealed class FixedAnswerBackend : IAsyncDisposable
    {
        private readonly Socket _listener = new(SocketType.Stream, ProtocolType.Tcp);
        private readonly byte[] _answer;
        private readonly CancellationTokenSource _stop = new();
        private Task _serving = Task.CompletedTask;
        private int _requests;

        private FixedAnswerBackend(byte[] answer) => _answer = answer;

        public int Port => ((IPEndPoint)_listener.LocalEndPoint!).Port;

        public int Requests => Volatile.Read(ref _requests);

        public static Task<FixedAnswerBackend> StartAsync(byte[] answer)
        {
            var backend = new FixedAnswerBackend(answer);
            backend._listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            backend._listener.Listen();
            backend._serving = backend.AcceptAsync();
            return Task.FromResult(backend);
        }

        private async Task AcceptAsync()
        {
            var connections = new List<Task>();
            try
            {
                while (true)
                {
                    connections.Add(ServeAsync(await _listener.AcceptAsync(_stop.Token)));
                }
            }
            catch (OperationCanceledException)
            {
            }
            await Task.WhenAll(connections);
        }

        /// <summary>Answers each head ("\r\n\r\n") it reads; the forwarder sends GETs without a body, one at a time.</summary>
        private async Task ServeAsync(Socket socket)
        {
            using var _ = socket;
            var buffer = new byte[16 * 1024];
            var filled = 0;
            try
            {
                while (true)
                {
                    var read = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, _stop.Token);
                    if (read == 0)
                    {
                        return;
                    }
                    filled += read;
                    int end;
                    while ((end = buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8)) >= 0)
                    {
                        Interlocked.Increment(ref _requests);
                        await socket.SendAsync(_answer, SocketFlags.None, _stop.Token);
                        buffer.AsSpan(end + 4, filled - end - 4).CopyTo(buffer);
                        filled -= end + 4;
                    }
                }
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException)
            {
            }
        }

        public async ValueTask DisposeAsync()
        {
            _stop.Cancel();
            _listener.Dispose();
            await _serving;
        }
    }

    private sealed class PersistentState : IPersistentStateFeature
    {
        public IDictionary<object, object?> State { get; } = new Dictionary<object, object?>();
    }

    /// <summary>Answers at once, as an upstream that said 200 with no body.</summary>
    private sealed class StubForwarder : IHttpForwarder
    {
        public ValueTask<ForwarderError> SendAsync(HttpContext context, string destinationPrefix, HttpMessageInvoker httpClient, ForwarderRequestConfig requestConfig, HttpTransformer transformer)
            => ValueTask.FromResult(ForwarderError.None);
    }
}
