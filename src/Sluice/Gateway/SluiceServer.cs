using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sluice.Gateway.Endpoints;
using Sluice.Gateway.Resilience;
using Sluice.Storage;
using Sluice.Telemetry;
using Sluice.Translation;
using Yarp.ReverseProxy.Forwarder;

namespace Sluice.Gateway;

/// <summary>
/// The running gateway: traffic listeners, the admin API and the control loop, in one process.
/// Stateless: on start it lists the store, translates and serves.
/// </summary>
public sealed partial class SluiceServer : IAsyncDisposable
{
    private readonly WebApplication? _traffic;
    private readonly WebApplication? _admin;
    private readonly ILoggerFactory _loggerFactory;
    private readonly GatewayTelemetry _telemetry;
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _loop;
    private readonly ReadinessState _readiness;
    private readonly TimeSpan _drainDelay;

    private SluiceServer(WebApplication? traffic, WebApplication? admin, ConfigLoop loop, PlanHolder plans, GatewayTelemetry telemetry, ILoggerFactory loggerFactory, ReadinessState readiness, TimeSpan drainDelay)
    {
        _readiness = readiness;
        _drainDelay = drainDelay;
        _telemetry = telemetry;
        _traffic = traffic;
        _admin = admin;
        _loggerFactory = loggerFactory;
        Plans = plans;
        Loop = loop;
        _loop = loop.RunAsync(_stopping.Token);
    }

    /// <summary>Completes once the first configuration has been applied.</summary>
    public Task Ready => Plans.FirstPlan;

    /// <summary>Completes when the server has stopped (<see cref="DisposeAsync"/>).</summary>
    public Task Completion => _stopped.Task;

    /// <summary>Bound ports, once started (null when that listener is off).</summary>
    public int? HttpPort { get; private init; }

    public int? HttpsPort { get; private init; }

    public int? Http2Port { get; private init; }

    public int? AdminPort { get; private init; }

    internal PlanHolder Plans { get; }

    internal ConfigLoop Loop { get; }

    /// <summary>Metrics and tracing, for services hosted beside the gateway to report into.</summary>
    internal GatewayTelemetry Telemetry => _telemetry;

    /// <summary>
    /// Starts listening and watching <paramref name="store"/>; returns once the listeners are bound.
    /// <paramref name="leadership"/> decides whether this process writes statuses (a controller
    /// elected among several); by default it does, as the only writer of a local store.
    /// <paramref name="endpointSources"/> feed the upstreams whose endpoints come from a watch
    /// (Kubernetes, Consul); without them such upstreams stay empty and answer 503.
    /// </summary>
    public static async Task<SluiceServer> StartAsync(
        GatewayOptions options,
        IConfigStore store,
        PluginRegistry plugins,
        ILoggerProvider? logging = null,
        CancellationToken cancellationToken = default,
        ILeadership? leadership = null,
        Action<IEndpointRouteBuilder>? mapAdmin = null,
        EndpointSources? endpointSources = null)
    {
        leadership ??= SoleLeader.Instance;
        var readiness = new ReadinessState(options.Role, leadership, store);
        var loggerFactory = CreateLoggerFactory(logging);
        var translator = new Translator(plugins);
        var telemetry = new GatewayTelemetry(options.Tracing, options.AccessLog, options.Statsd, loggerFactory);
        var findings = new RuntimeFindings();
        var plans = new PlanHolder(loggerFactory, endpointSources, telemetry.Metrics.EndpointsUpdated, findings);
        var loop = new ConfigLoop(store, translator, plans, options.Role, leadership, telemetry, loggerFactory.CreateLogger<ConfigLoop>(), findings);

        WebApplication? traffic = null;
        if (options.Role != GatewayRole.Controller && (options.HttpPort > 0 || options.HttpsPort > 0 || options.Http2Port > 0))
        {
            traffic = BuildTraffic(options, plans, telemetry, logging);
            await traffic.StartAsync(cancellationToken);
        }
        WebApplication? admin = null;
        if (options.AdminPort > 0)
        {
            if (!IPAddress.IsLoopback(options.AdminBind))
            {
                Log.AdminExposed(loggerFactory.CreateLogger<SluiceServer>(), new IPEndPoint(options.AdminBind, options.AdminPort));
            }
            admin = BuildAdmin(options, plans, loop, readiness, telemetry, logging, mapAdmin);
            try
            {
                await admin.StartAsync(cancellationToken);
            }
            catch
            {
                // Leave nothing listening behind a failed start (e.g. the admin port is taken).
                await admin.DisposeAsync();
                if (traffic is not null)
                {
                    await traffic.StopAsync(CancellationToken.None);
                    await traffic.DisposeAsync();
                }
                await telemetry.DisposeAsync();
                loggerFactory.Dispose();
                throw;
            }
        }

        return new SluiceServer(traffic, admin, loop, plans, telemetry, loggerFactory, readiness, options.DrainDelay)
        {
            HttpPort = traffic is not null && options.HttpPort > 0 ? options.HttpPort : null,
            HttpsPort = traffic is not null && options.HttpsPort > 0 ? options.HttpsPort : null,
            Http2Port = traffic is not null && options.Http2Port > 0 ? options.Http2Port : null,
            AdminPort = admin is null ? null : options.AdminPort,
        };
    }

    public async ValueTask DisposeAsync()
    {
        // Readiness off first: load balancers stop sending new requests while the listeners
        // still take them; then Kestrel's graceful stop drains the requests in flight.
        _readiness.StartDraining();
        if (_drainDelay > TimeSpan.Zero && _traffic is not null)
        {
            await Task.Delay(_drainDelay);
        }
        await _stopping.CancelAsync();
        await _loop;
        if (_traffic is not null)
        {
            await _traffic.StopAsync();
            await _traffic.DisposeAsync();
        }
        if (_admin is not null)
        {
            await _admin.StopAsync();
            await _admin.DisposeAsync();
        }
        await Plans.DisposeClustersAsync();
        // After the listeners: the last requests' spans, lines and samples are flushed.
        await _telemetry.DisposeAsync();
        _stopping.Dispose();
        _loggerFactory.Dispose();
        _stopped.TrySetResult();
    }

    private static WebApplication BuildTraffic(GatewayOptions options, PlanHolder plans, GatewayTelemetry telemetry, ILoggerProvider? logging)
    {
        var builder = WebApplication.CreateSlimBuilder();
        ConfigureLogging(builder, logging);
        builder.WebHost.UseSockets(KestrelSocketTuning.Apply);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            ClientLimits.Apply(kestrel.Limits, options);
            if (options.HttpPort > 0)
            {
                kestrel.Listen(options.Bind, options.HttpPort, listen => listen.Protocols = HttpProtocols.Http1);
            }
            if (options.HttpsPort > 0)
            {
                // One port for every TLS virtual service: the certificate is chosen per connection
                // by SNI from the live plan, so a rotated certificate applies to new connections
                // while open ones keep theirs.
                kestrel.Listen(options.Bind, options.HttpsPort, listen =>
                {
                    listen.Protocols = HttpProtocols.Http1AndHttp2;
                    listen.UseHttps(new TlsHandshakeCallbackOptions
                    {
                        OnConnection = context =>
                        {
                            var serverName = context.ClientHelloInfo.ServerName;
                            var tls = plans.Current.Certificates.Find(serverName) ?? throw TlsContext.NoCertificateFor(serverName);
                            // Set once per connection: its requests are served only by hosts of this scope.
                            context.Connection.Features.Set(tls.Scope);
                            return ValueTask.FromResult(tls.Options);
                        },
                    });
                });
            }
            if (options.Http2Port > 0)
            {
                // Kestrel cannot tell h2c prior knowledge from HTTP/1.1 on one cleartext port.
                kestrel.Listen(options.Bind, options.Http2Port, listen => listen.Protocols = HttpProtocols.Http2);
            }
        });
        builder.Services.AddHttpForwarder();
        var app = builder.Build();
        var services = new ProxyServices(new ResilientCaller(app.Services.GetRequiredService<IHttpForwarder>(), options), telemetry, options.HttpsPort);
        var middleware = new ProxyMiddleware(plans, services, new ErrorResponder(app.Services.GetRequiredService<ILogger<ErrorResponder>>()));
        app.Run(middleware.InvokeAsync);
        return app;
    }

    private static WebApplication BuildAdmin(
        GatewayOptions options, PlanHolder plans, ConfigLoop loop, ReadinessState readiness, GatewayTelemetry telemetry, ILoggerProvider? logging, Action<IEndpointRouteBuilder>? mapAdmin)
    {
        var builder = WebApplication.CreateSlimBuilder();
        ConfigureLogging(builder, logging);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(options.AdminBind, options.AdminPort));
        var app = builder.Build();
        app.Use(AdminEndpoints.RefuseForeignHostsAsync);
        AdminEndpoints.Map(app, plans, loop, readiness);
        // Endpoints of services hosted beside the gateway (discovery), which the gateway does not know.
        mapAdmin?.Invoke(app);
        telemetry.Metrics.ObserveControl(() => readiness.StoreHealth?.Reachable ?? true, () => options.Role != GatewayRole.Gateway && readiness.Leadership.IsLeader);
        telemetry.Metrics.ObserveEndpoints(() => plans.Current.Clusters.Values.SelectMany(cluster =>
            cluster.Endpoints.Select(e => (cluster.Plan.Name, e.Prefix["http://".Length..], e.IsHealthy && !e.IsEjected(Stopwatch.GetTimestamp()), e.ActiveRequests))));
        app.MapGet("/metrics", telemetry.Metrics.WriteAsync);
        return app;
    }

    private static void ConfigureLogging(WebApplicationBuilder builder, ILoggerProvider? logging)
    {
        builder.Logging.ClearProviders();
        if (logging is not null)
        {
            builder.Logging.AddProvider(logging);
        }
        else
        {
            builder.Logging.AddSimpleConsole(console => console.SingleLine = true);
        }
        // Kestrel's per-request chatter belongs to debugging sessions, not to a gateway's log.
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // YARP logs each failed forward with a stack trace; the ErrorResponder logs one line instead.
        builder.Logging.AddFilter("Yarp.ReverseProxy.Forwarder", LogLevel.None);
        // A start failure (a port in use) reaches the caller, which says it in one line; the
        // host would log it again with a stack trace.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.AdminExposed, Level = LogLevel.Warning, Message = "The admin API listens on {Endpoint}, not on loopback: it is unauthenticated and shows the whole configuration; expose it only on a trusted network")]
        public static partial void AdminExposed(ILogger logger, IPEndPoint endpoint);
    }

    private static ILoggerFactory CreateLoggerFactory(ILoggerProvider? logging) => LoggerFactory.Create(factory =>
    {
        if (logging is not null)
        {
            factory.AddProvider(logging);
        }
        else
        {
            factory.AddSimpleConsole(console => console.SingleLine = true);
        }
        factory.SetMinimumLevel(LogLevel.Information);
    });
}
