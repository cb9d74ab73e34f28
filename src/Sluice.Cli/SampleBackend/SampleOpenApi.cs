namespace Sluice.Cli.SampleBackend;

/// <summary>
/// The OpenAPI 3.0 document the sample backend serves at <c>/openapi.json</c>, so function
/// discovery has something to find (<c>examples/discovery</c>). It describes what the backend
/// does: <c>/hello</c> answers a greeting, everything else is echoed.
/// </summary>
internal static class SampleOpenApi
{
    public const string Path = "/openapi.json";

    public const string Document = """
        {
          "openapi": "3.0.3",
          "info": { "title": "Sluice sample backend", "version": "1.0.0" },
          "paths": {
            "/hello": {
              "get": { "operationId": "hello", "responses": { "200": { "description": "A greeting" } } }
            },
            "/greetings/{name}": {
              "get": {
                "operationId": "greet",
                "parameters": [
                  { "name": "name", "in": "path", "required": true, "schema": { "type": "string" } },
                  { "name": "lang", "in": "query", "schema": { "type": "string" } }
                ],
                "responses": { "200": { "description": "The request, echoed" } }
              }
            },
            "/orders": {
              "post": {
                "operationId": "createOrder",
                "requestBody": {
                  "content": {
                    "application/json": {
                      "schema": { "$ref": "#/components/schemas/Order" }
                    }
                  }
                },
                "responses": { "200": { "description": "The request, echoed" } }
              }
            }
          },
          "components": {
            "schemas": {
              "Order": {
                "type": "object",
                "properties": { "item": { "type": "string" }, "quantity": { "type": "integer" } }
              }
            }
          }
        }
        """;
}
