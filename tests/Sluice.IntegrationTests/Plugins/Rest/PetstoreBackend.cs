using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Plugins.Rest;

/// <summary>
/// The petstore of Gloo's walkthrough on a real Kestrel port: <c>GET /api/pets</c>,
/// <c>GET /api/pets/{id}</c> (404 when absent), <c>POST /api/pets</c> (JSON body, answers 201).
/// Every answer carries <c>x-server: petstore-1</c>; the last request's method and body are kept.
/// </summary>
internal sealed class PetstoreBackend : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<long, Pet> _pets = new();

    private PetstoreBackend(WebApplication app, int port)
    {
        _app = app;
        Port = port;
        _pets[1] = new Pet(1, "Dog", "woof");
        _pets[2] = new Pet(2, "Cat", "meow");
        _pets[3] = new Pet(3, "Fish", null);
    }

    public int Port { get; }

    public string? LastMethod { get; private set; }

    public string? LastBody { get; private set; }

    public static async Task<PetstoreBackend> StartAsync()
    {
        var port = FreePorts.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        var backend = new PetstoreBackend(app, port);
        app.Run(backend.HandleAsync);
        await app.StartAsync();
        return backend;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.Value ?? "/";
        LastMethod = request.Method;
        LastBody = await new StreamReader(request.Body).ReadToEndAsync();
        context.Response.Headers["x-server"] = "petstore-1";

        if (path == "/api/pets" && request.Method == "GET")
        {
            await context.Response.WriteAsJsonAsync(_pets.Values.OrderBy(p => p.Id));
            return;
        }
        if (path == "/api/pets" && request.Method == "POST")
        {
            Pet? pet;
            try
            {
                pet = JsonSerializer.Deserialize<Pet>(LastBody, JsonSerializerOptions.Web);
            }
            catch (JsonException e)
            {
                context.Response.StatusCode = 400;
                await context.Response.WriteAsync("bad pet: " + e.Message);
                return;
            }
            _pets[pet!.Id] = pet;
            context.Response.StatusCode = 201;
            await context.Response.WriteAsJsonAsync(pet);
            return;
        }
        if (path.StartsWith("/api/pets/", StringComparison.Ordinal) && request.Method == "GET"
            && long.TryParse(path["/api/pets/".Length..], out var id) && _pets.TryGetValue(id, out var found))
        {
            await context.Response.WriteAsJsonAsync(found);
            return;
        }
        context.Response.StatusCode = 404;
        await context.Response.WriteAsync($"no pet at {request.Method} {path}");
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    internal sealed record Pet(long Id, string Name, string? Tag);
}
