using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Sluice.Cli.SampleBackend;

/// <summary>
/// The quickstart's demo backend: <c>GET /hello</c> answers a greeting, <c>GET /openapi.json</c>
/// describes the backend for function discovery, anything else is echoed back as JSON (method,
/// path, query, headers, body) so a user can see what the gateway forwarded (prefix rewrites,
/// added headers, transformations).
/// </summary>
internal sealed class SampleBackendServer : IAsyncDisposable
{
    internal const string Greeting = "hello from the sample backend\n";

    /// <summary>Bodies longer than this are echoed cut, so a big upload cannot balloon the answer.</summary>
    private const int MaxEchoedBodyBytes = 64 * 1024;

    private readonly WebApplication _app;

    private SampleBackendServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    /// <summary>Where it listens, with the real port when 0 was asked for.</summary>
    public Uri Address { get; }

    public static async Task<SampleBackendServer> StartAsync(IPAddress bind, int port, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = "sluice-sample-backend",
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(bind, port));

        var app = builder.Build();
        app.MapGet("/hello", () => Results.Text(Greeting, "text/plain; charset=utf-8"));
        app.MapGet(SampleOpenApi.Path, () => Results.Text(SampleOpenApi.Document, "application/json"));
        // A catch-all route rather than terminal middleware, so /hello still wins by precedence.
        app.Map("/{**path}", EchoAsync);
        await app.StartAsync(cancellationToken);

        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!;
        return new SampleBackendServer(app, new Uri(addresses.Addresses.First()));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static async Task EchoAsync(HttpContext context)
    {
        var request = context.Request;
        var body = await ReadBodyAsync(request, context.RequestAborted);

        context.Response.ContentType = "application/json; charset=utf-8";
        await using var json = new Utf8JsonWriter(context.Response.Body, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        json.WriteStartObject();
        json.WriteString("from", "sample-backend");
        json.WriteString("method", request.Method);
        json.WriteString("path", request.PathBase + request.Path);
        json.WriteString("query_string", request.QueryString.Value ?? "");
        json.WriteStartObject("query");
        foreach (var (name, values) in request.Query)
        {
            json.WriteString(name, values.ToString());
        }
        json.WriteEndObject();
        json.WriteStartObject("headers");
        foreach (var (name, values) in request.Headers)
        {
            json.WriteString(name.ToLowerInvariant(), values.ToString());
        }
        json.WriteEndObject();
        if (body is not null)
        {
            json.WriteString("body", body);
        }
        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted);
        await context.Response.Body.WriteAsync("\n"u8.ToArray(), context.RequestAborted);
    }

    private static async Task<string?> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxEchoedBodyBytes];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0)
        {
            length += read;
        }
        return length == 0 ? null : Encoding.UTF8.GetString(buffer, 0, length);
    }
}
