using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Logging;
using System.Security.Cryptography.X509Certificates;

namespace Sluice.IntegrationTests.Infrastructure;

/// <summary>
/// A real Kestrel backend on a loopback port that tells what it received: JSON with method,
/// path, query, headers and body, plus an <c>x-backend</c> header naming it. A few paths act:
/// <c>/status/N</c> answers N, <c>/delay/MS</c> waits first, <c>/abort</c> resets the
/// connection, <c>/ws</c> echoes WebSocket messages. <see cref="FailNext"/> makes the next
/// requests answer 503.
/// </summary>
internal sealed class TestBackend : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _failuresLeft;
    private int _failureStatus = 503;
    private int _requests;

    private TestBackend(WebApplication app, string name, int port)
    {
        _app = app;
        Name = name;
        Port = port;
    }

    public string Name { get; }

    public int Port { get; }

    public int Requests => Volatile.Read(ref _requests);

    /// <summary>TCP connections that carried a request so far (Kestrel's connection ids are unique).</summary>
    public int Connections => _connectionIds.Count;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _connectionIds = new();

    /// <summary>Bodies of every request received, in order.</summary>
    public List<string> Bodies { get; } = [];

    /// <summary>The next <paramref name="count"/> requests answer <paramref name="status"/> ("failing on purpose").</summary>
    public void FailNext(int count, int status = 503)
    {
        Volatile.Write(ref _failureStatus, status);
        Volatile.Write(ref _failuresLeft, count);
    }

    /// <summary>What <c>/healthz</c> answers: 200 while true, 503 while false.</summary>
    public bool Healthy { get; set; } = true;

    /// <summary>Added before answering every request (a slow endpoint).</summary>
    public TimeSpan Delay { get; set; }

    /// <param name="certificate">Serve HTTPS with this certificate.</param>
    /// <param name="requireClientCertificate">Refuse TLS clients without a certificate (any will do; its subject is echoed).</param>
    public static Task<TestBackend> StartAsync(
        string name = "backend",
        HttpProtocolsChoice protocols = HttpProtocolsChoice.Http1,
        X509Certificate2? certificate = null,
        bool requireClientCertificate = false) =>
        FreePorts.RetryOnConflictAsync(() => StartOnceAsync(name, protocols, certificate, requireClientCertificate, IPAddress.Loopback, FreePorts.Next()));

    /// <summary>
    /// A backend on another loopback address (127.0.0.N) and a given port: pods of one Service,
    /// each with its own address and the same container port, as in a cluster.
    /// </summary>
    public static Task<TestBackend> StartAtAsync(string name, IPAddress address, int port) =>
        StartOnceAsync(name, HttpProtocolsChoice.Http1, null, false, address, port);

    public IPAddress Address { get; private init; } = IPAddress.Loopback;

    private static async Task<TestBackend> StartOnceAsync(
        string name,
        HttpProtocolsChoice protocols,
        X509Certificate2? certificate,
        bool requireClientCertificate,
        IPAddress address,
        int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(address, port, listen =>
        {
            listen.Protocols = protocols switch
            {
                HttpProtocolsChoice.Http2 => HttpProtocols.Http2,
                _ when certificate is not null => HttpProtocols.Http1AndHttp2,
                _ => HttpProtocols.Http1,
            };
            if (certificate is not null)
            {
                listen.UseHttps(https =>
                {
                    https.ServerCertificate = certificate;
                    if (requireClientCertificate)
                    {
                        https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
                        https.ClientCertificateValidation = (_, _, _) => true;
                    }
                });
            }
        }));
        var app = builder.Build();
        var backend = new TestBackend(app, name, port) { Address = address };
        app.UseWebSockets();
        app.Run(backend.HandleAsync);
        await app.StartAsync();
        return backend;
    }

    private async Task HandleAsync(HttpContext context)
    {
        Interlocked.Increment(ref _requests);
        _connectionIds.TryAdd(context.Connection.Id, true);
        var request = context.Request;
        var path = request.Path.Value ?? "/";
        context.Response.Headers["x-backend"] = Name;

        if (path == "/ws" && context.WebSockets.IsWebSocketRequest)
        {
            await EchoWebSocketAsync(context);
            return;
        }
        if (path == "/healthz")
        {
            context.Response.StatusCode = Healthy ? 200 : 503;
            return;
        }
        if (Delay > TimeSpan.Zero)
        {
            await Task.Delay(Delay, context.RequestAborted).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        if (path == "/trailers")
        {
            // What a gRPC server does: the status travels in trailers after the body.
            context.Response.DeclareTrailer("grpc-status");
            await context.Response.WriteAsync("payload");
            context.Response.AppendTrailer("grpc-status", "0");
            return;
        }
        if (path.EndsWith("/fixed-length", StringComparison.Ordinal))
        {
            // A body framed by Content-Length (everything else here is written chunked).
            context.Response.ContentLength = 5;
            await context.Response.Body.WriteAsync("hello"u8.ToArray());
            return;
        }
        if (path == "/abort")
        {
            context.Abort();
            return;
        }
        if (path.StartsWith("/delay/", StringComparison.Ordinal))
        {
            await Task.Delay(int.Parse(path["/delay/".Length..]), context.RequestAborted).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        var body = await new StreamReader(request.Body).ReadToEndAsync();
        lock (Bodies)
        {
            Bodies.Add(body);
        }
        if (Interlocked.Decrement(ref _failuresLeft) >= 0)
        {
            context.Response.StatusCode = Volatile.Read(ref _failureStatus);
            await context.Response.WriteAsync("failing on purpose");
            return;
        }
        Interlocked.Exchange(ref _failuresLeft, 0);
        if (path.StartsWith("/status/", StringComparison.Ordinal))
        {
            context.Response.StatusCode = int.Parse(path["/status/".Length..]);
        }
        if (path.IndexOf("/sets-sluice-error/", StringComparison.Ordinal) is var at and >= 0)
        {
            // An upstream that happens to use the gateway's error header for its own purposes.
            context.Response.StatusCode = 503;
            context.Response.Headers["x-sluice-error"] = path[(at + "/sets-sluice-error/".Length)..];
        }

        context.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(context.Response.Body, new EchoResponse(
            Name,
            request.Method,
            path,
            request.QueryString.Value ?? "",
            request.Protocol,
            request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString())
                .Append(KeyValuePair.Create("x-echo-client-certificate", context.Connection.ClientCertificate?.Subject ?? ""))
                .Append(KeyValuePair.Create("x-echo-scheme", request.Scheme))
                .Append(KeyValuePair.Create("x-echo-raw-target", context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? ""))
                .ToDictionary(),
            body));
    }

    private static async Task EchoWebSocketAsync(HttpContext context)
    {
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var buffer = new byte[4096];
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, CancellationToken.None);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                return;
            }
            await socket.SendAsync(buffer.AsMemory(0, result.Count), result.MessageType, result.EndOfMessage, CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

internal enum HttpProtocolsChoice
{
    Http1,
    Http2,
}

/// <summary>What <see cref="TestBackend"/> says it received.</summary>
internal sealed record EchoResponse(
    string Backend,
    string Method,
    string Path,
    string Query,
    string Protocol,
    Dictionary<string, string> Headers,
    string Body);
