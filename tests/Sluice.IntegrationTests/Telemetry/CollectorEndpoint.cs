using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Telemetry;

/// <summary>
/// A real Kestrel endpoint standing in for a trace collector: it keeps every POST it receives
/// (path, content type, body) and answers as the collector protocol expects.
/// </summary>
internal sealed class CollectorEndpoint : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly List<Request> _received = [];

    private CollectorEndpoint(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    public IReadOnlyList<Request> Received
    {
        get
        {
            lock (_received)
            {
                return [.. _received];
            }
        }
    }

    /// <summary>HTTP/1.1 for Zipkin and OTLP/HTTP; HTTP/2 cleartext for OTLP/gRPC.</summary>
    public static async Task<CollectorEndpoint> StartAsync(bool grpc = false)
    {
        var port = FreePorts.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, l => l.Protocols = grpc ? HttpProtocols.Http2 : HttpProtocols.Http1));
        var app = builder.Build();
        var collector = new CollectorEndpoint(app, port);
        app.Run(collector.HandleAsync);
        await app.StartAsync();
        return collector;
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        lock (_received)
        {
            _received.Add(new Request(context.Request.Path.Value ?? "", context.Request.ContentType ?? "", body.ToArray()));
        }
        if (context.Request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) == true)
        {
            // An empty ExportTraceServiceResponse in one gRPC frame, then status OK in the trailers.
            context.Response.ContentType = "application/grpc";
            await context.Response.Body.WriteAsync(new byte[5]);
            context.Response.AppendTrailer("grpc-status", "0");
            return;
        }
        context.Response.StatusCode = context.Request.Path.StartsWithSegments("/api/v2/spans") ? 202 : 200;
        if (context.Request.ContentType == "application/x-protobuf")
        {
            context.Response.ContentType = "application/x-protobuf";
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    internal sealed record Request(string Path, string ContentType, byte[] Body);
}
