using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Sluice.IntegrationTests.Discovery;

/// <summary>
/// A real Kestrel backend for discovery: serves the documents it is given at their paths, can
/// hang on a path, and counts every request. Any other path answers 404, or, with
/// <see cref="EchoOthers"/>, 200 with JSON describing the request (method, path, query, headers, body).
/// </summary>
internal sealed class DocumentBackend : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, (byte[] Body, string ContentType)> _documents = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _hanging = new(StringComparer.Ordinal);
    private int _requests;

    private DocumentBackend(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    public string Address => $"http://127.0.0.1:{Port}";

    public int Requests => Volatile.Read(ref _requests);

    public bool EchoOthers { get; set; }

    /// <summary>Requests carrying discovery's probe header, by path.</summary>
    public ConcurrentDictionary<string, int> Probes { get; } = new(StringComparer.Ordinal);

    /// <param name="http2">Listen for HTTP/2 only (cleartext), as a gRPC server does.</param>
    public static async Task<DocumentBackend> StartAsync(bool http2 = false)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, 0, l => l.Protocols = http2 ? Microsoft.AspNetCore.Server.Kestrel.Core.HttpProtocols.Http2 : Microsoft.AspNetCore.Server.Kestrel.Core.HttpProtocols.Http1);
            k.Limits.MaxResponseBufferSize = null;
        });
        var app = builder.Build();
        DocumentBackend? backend = null;
        app.Run(context => backend!.HandleAsync(context));
        await app.StartAsync();
        backend = new DocumentBackend(app, new Uri(app.Urls.First()).Port);
        return backend;
    }

    public void Serve(string path, byte[] body, string contentType = "application/json") => _documents[path] = (body, contentType);

    public void Serve(string path, string body, string contentType = "application/json") => Serve(path, System.Text.Encoding.UTF8.GetBytes(body), contentType);

    public void Remove(string path) => _documents.TryRemove(path, out _);

    public void Hang(string path) => _hanging[path] = true;

    private async Task HandleAsync(HttpContext context)
    {
        Interlocked.Increment(ref _requests);
        var path = context.Request.Path.Value ?? "/";
        if (context.Request.Headers.ContainsKey("x-sluice-discovery"))
        {
            Probes.AddOrUpdate(path, 1, (_, n) => n + 1);
        }
        if (_hanging.ContainsKey(path))
        {
            await Task.Delay(Timeout.Infinite, context.RequestAborted).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            return;
        }
        if (_documents.TryGetValue(path, out var document))
        {
            context.Response.ContentType = document.ContentType;
            context.Response.ContentLength = document.Body.Length;
            // Headers first, as a server streaming a large file does.
            await context.Response.StartAsync(context.RequestAborted);
            await context.Response.Body.WriteAsync(document.Body, context.RequestAborted);
            return;
        }
        if (!EchoOthers)
        {
            context.Response.StatusCode = 404;
            return;
        }
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync();
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            method = context.Request.Method,
            path,
            query = context.Request.QueryString.Value,
            headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString()),
            body,
        }));
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
