using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Sluice.Discovery;

/// <summary><c>GET /api/v1/discovery</c> on the admin port: the mode and where discovery stands with each upstream.</summary>
public static class DiscoveryAdminEndpoints
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    /// <param name="service">Null when discovery does not run in this process; <paramref name="why"/> says why.</param>
    public static void Map(IEndpointRouteBuilder admin, DiscoveryService? service, DiscoveryMode mode, string? why = null) =>
        admin.MapGet("/api/v1/discovery", () => service is null
            ? Results.Text($"discovery does not run in this process: {why}\n", statusCode: 404)
            : Results.Text(JsonSerializer.Serialize(new { Mode = Name(mode), Leading = service.Leading, Upstreams = service.Leading ? service.States : [] }, Json), "application/json"));

    public static string Name(DiscoveryMode mode) => mode switch
    {
        DiscoveryMode.All => "all",
        DiscoveryMode.Disabled => "disabled",
        _ => "opt-in",
    };
}
