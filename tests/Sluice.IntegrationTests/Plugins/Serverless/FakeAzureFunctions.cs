using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Sluice.IntegrationTests.Plugins.Serverless;

/// <summary>
/// A local stand-in for an Azure Functions app on a real loopback Kestrel server, enforcing
/// keys as the Functions host does: <c>/api/&lt;name&gt;</c> with the function's auth level;
/// the key comes from the <c>x-functions-key</c> header or the <c>code</c> query parameter; a
/// function-level function takes its own key or the master key, an admin-level one only the
/// master key; otherwise 401.
/// </summary>
internal sealed class FakeAzureFunctions : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _masterKey;
    private readonly Dictionary<string, (string Level, string? Key)> _functions;

    private FakeAzureFunctions(WebApplication app, int port, string masterKey, Dictionary<string, (string, string?)> functions)
    {
        _app = app;
        Port = port;
        _masterKey = masterKey;
        _functions = functions;
    }

    public int Port { get; }

    public static async Task<FakeAzureFunctions> StartAsync(string masterKey, Dictionary<string, (string Level, string? Key)> functions)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        FakeAzureFunctions? fake = null;
        app.Run(context => fake!.HandleAsync(context));
        // Port 0: the OS picks a free port at bind time, so parallel tests never race for one.
        await app.StartAsync();
        var port = new Uri(app.Urls.First()).Port;
        fake = new FakeAzureFunctions(app, port, masterKey, functions);
        return fake;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        if (!path.StartsWith("/api/", StringComparison.Ordinal) || !_functions.TryGetValue(path["/api/".Length..], out var function))
        {
            context.Response.StatusCode = 404;
            return;
        }
        var header = context.Request.Headers["x-functions-key"].ToString();
        var key = header.Length > 0 ? header : context.Request.Query["code"].ToString();
        var allowed = function.Level switch
        {
            "anonymous" => true,
            "function" => key.Length > 0 && (key == function.Key || key == _masterKey),
            "admin" => key == _masterKey,
            _ => false,
        };
        if (!allowed)
        {
            context.Response.StatusCode = 401;
            return;
        }
        var body = await new StreamReader(context.Request.Body).ReadToEndAsync();
        await context.Response.WriteAsync($"{path} {context.Request.Method} {context.Request.QueryString} {body}");
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
