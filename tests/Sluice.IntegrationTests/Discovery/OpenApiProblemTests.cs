using Sluice.Hosting;
using Sluice.Api;
using Sluice.IntegrationTests.Infrastructure;
using Sluice.Storage;
using Sluice.Translation;

namespace Sluice.IntegrationTests.Discovery;

/// <summary>
/// Operations that cannot become functions are skipped one by one, each named in the upstream's
/// status with the reason; the rest of the document still becomes functions.
/// </summary>
public sealed class OpenApiProblemTests
{
    private const string Document = """
        {
          "swagger": "2.0",
          "info": { "title": "mixed", "version": "1" },
          "paths": {
            "/ok": { "get": { "operationId": "ok", "responses": { "200": { "description": "ok" } } } },
            "/upload": {
              "post": {
                "operationId": "upload",
                "consumes": ["application/x-www-form-urlencoded"],
                "parameters": [ { "name": "file", "in": "formData", "type": "string" } ],
                "responses": { "200": { "description": "ok" } }
              }
            },
            "/items/{id}": {
              "get": {
                "operationId": "clash",
                "parameters": [
                  { "name": "id", "in": "path", "required": true, "type": "string" },
                  { "name": "id", "in": "query", "type": "string" }
                ],
                "responses": { "200": { "description": "ok" } }
              }
            },
            "/session": {
              "get": {
                "operationId": "cookie",
                "parameters": [ { "name": "sid", "in": "header", "type": "string" }, { "name": "x-trace", "in": "header", "required": true, "type": "string" } ],
                "responses": { "200": { "description": "ok" } }
              }
            }
          }
        }
        """;

    [Fact]
    public async Task Form_bodies_and_parameter_clashes_are_listed_with_the_reason()
    {
        await using var backend = await DocumentBackend.StartAsync();
        backend.Serve("/swagger.json", Document);
        var store = new InMemoryStore();
        store.Set([.. TestConfig.Read(Discover.Upstream("mixed", backend.Port))]);

        var state = Assert.Single(await Discover.OnceAsync(store));

        Assert.Equal("found", state.State);
        var record = await Discover.RecordAsync(store, "mixed");
        Assert.Equal(["cookie", "ok"], record.Functions.Select(f => f.Name));
        var cookie = record.Functions[0];
        Assert.Equal("{{ default(sid, \"\") }}", Discover.Header(cookie, "sid"));
        Assert.Equal("{{ x-trace }}", Discover.Header(cookie, "x-trace"));
        Assert.Equal(2, record.Problems.Count);
        Assert.Contains(record.Problems, p => p.StartsWith("operation POST /upload (upload): skipped", StringComparison.Ordinal) && p.Contains("application/x-www-form-urlencoded"));
        Assert.Contains(record.Problems, p => p.StartsWith("operation GET /items/{id} (clash): skipped, parameter clash", StringComparison.Ordinal) && p.Contains("'id'"));

        var status = new Translator(SluicePlugins.Default).Translate(await store.LoadAsync(CancellationToken.None), TranslationState.Empty).Reports.Single(r => r.Name == "mixed").Status;
        Assert.Equal(StatusState.Warning, status.State);
        Assert.Contains("discovery: operation POST /upload (upload): skipped", status.Reason);
        Assert.Contains("discovery: operation GET /items/{id} (clash): skipped, parameter clash", status.Reason);
    }
}
