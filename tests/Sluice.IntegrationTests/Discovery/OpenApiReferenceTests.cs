using Sluice.IntegrationTests.Infrastructure;
using Sluice.Storage;

namespace Sluice.IntegrationTests.Discovery;

/// <summary>
/// A document split across files: a path item and a schema in sibling files, fetched from the
/// same backend relative to the document (and, from the path item's folder, relative to it).
/// </summary>
public sealed class OpenApiReferenceTests
{
    private const string Main = """
        {
          "openapi": "3.0.3",
          "info": { "title": "split", "version": "1" },
          "paths": {
            "/pets/{petId}": { "$ref": "paths/pet.json" },
            "/owners": {
              "post": {
                "operationId": "addOwner",
                "requestBody": { "content": { "application/json": { "schema": { "$ref": "schemas/owner.json" } } } },
                "responses": { "201": { "description": "created" } }
              }
            }
          }
        }
        """;

    private const string PathItem = """
        {
          "get": {
            "operationId": "getPet",
            "parameters": [ { "$ref": "../parameters.json#/petId" }, { "name": "verbose", "in": "query", "schema": { "type": "boolean" } } ],
            "responses": { "200": { "description": "a pet" } }
          },
          "put": {
            "operationId": "updatePet",
            "parameters": [ { "$ref": "../parameters.json#/petId" } ],
            "requestBody": { "content": { "application/json": { "schema": { "$ref": "../schemas/pet.json" } } } },
            "responses": { "200": { "description": "updated" } }
          }
        }
        """;

    private const string Parameters = """
        { "petId": { "name": "petId", "in": "path", "required": true, "schema": { "type": "integer" } } }
        """;

    private const string Pet = """
        { "type": "object", "properties": { "name": { "type": "string" }, "age": { "type": "integer" }, "owner": { "$ref": "owner.json" } } }
        """;

    private const string Owner = """
        { "type": "object", "properties": { "email": { "type": "string" } } }
        """;

    [Fact]
    public async Task Refs_to_sibling_files_are_fetched_from_the_same_upstream()
    {
        await using var backend = await DocumentBackend.StartAsync();
        backend.Serve("/api/openapi.json", Main);
        backend.Serve("/api/paths/pet.json", PathItem);
        backend.Serve("/api/parameters.json", Parameters);
        backend.Serve("/api/schemas/pet.json", Pet);
        backend.Serve("/api/schemas/owner.json", Owner);
        var store = new InMemoryStore();
        store.Set([.. TestConfig.Read(Discover.Upstream("split", backend.Port, "discovery.sluice.io/openapi_url: /api/openapi.json"))]);

        var state = Assert.Single(await Discover.OnceAsync(store));

        Assert.True(state.State == "found", state.Message);
        var record = await Discover.RecordAsync(store, "split");
        Assert.Equal(["addOwner", "getPet", "updatePet"], record.Functions.Select(f => f.Name));
        var functions = record.Functions.ToDictionary(f => f.Name);
        Assert.Equal("/pets/{{ petId }}?verbose={{ default(verbose, \"\") }}", Discover.Get(functions["getPet"], "path"));
        Assert.Equal("PUT", Discover.Header(functions["updatePet"], ":method"));
        Assert.Equal(
            """{"age": {{ default(age, "null") }}, "name": "{{ default(name, "") }}", "owner": {"email": "{{ default(owner.email, "") }}"}}""",
            Discover.Get(functions["updatePet"], "body"));
        Assert.Equal("""{"email": "{{ default(email, "") }}"}""", Discover.Get(functions["addOwner"], "body"));
        Assert.Empty(record.Problems);
    }
}
