using System.Net;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Sluice.Gateway;
using Sluice.Gateway.Resilience;
using Sluice.Plan;
using Sluice.Telemetry;
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
public sealed class RequestPathAllocationTests
{
    [Fact]
    public async Task A_forwarded_request_allocates_nothing_in_Sluice()
    {
        var plans = new PlanHolder(NullLoggerFactory.Instance);
        plans.Apply(Plan(routes: 1_000));
        await using var telemetry = new GatewayTelemetry(new TracingOptions(), new AccessLogOptions(), new StatsdOptions(), NullLoggerFactory.Instance);
        var services = new ProxyServices(new ResilientCaller(new StubForwarder(), new GatewayOptions()), telemetry, 0);
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

    private static Task Serve(ProxyMiddleware middleware, HttpContext context)
    {
        context.Response.StatusCode = 200;
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

    private static ProxyPlan Plan(int routes) => new()
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
        Clusters = new([new ClusterPlan { Name = "backend", Endpoints = new([new EndpointPlan("127.0.0.1", 9)]) }]),
    };

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
