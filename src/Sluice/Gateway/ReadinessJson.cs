using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Sluice.Gateway;

/// <summary>
/// <c>/readyz/detail</c>: readiness with its reasons, for people and for <c>sluice check</c>:
/// <code>{"ready": true, "draining": false, "role": "gateway", "identity": "host/42",
///  "leader": "host/17", "is_leader": false,
///  "store": {"name": "etcd …", "reachable": false, "detail": "unreachable: …", "since": "…"},
///  "plan_applied_at": "…"}</code>
/// The status code is that of <c>/readyz</c>. A gateway whose store is unreachable stays ready:
/// it serves its last plan, and says so under <c>store</c>.
/// </summary>
internal static class ReadinessJson
{
    public static IResult Write(ReadinessState readiness, bool planLive, ConfigView? latest)
    {
        var leadership = readiness.Leadership;
        var json = new JsonObject
        {
            ["ready"] = planLive && !readiness.Draining,
            ["draining"] = readiness.Draining,
            ["role"] = readiness.Role.ToString().ToLowerInvariant(),
            ["identity"] = leadership.Identity,
            ["leader"] = leadership.Leader,
            ["is_leader"] = readiness.Role != GatewayRole.Gateway && leadership.IsLeader,
            ["plan_applied_at"] = latest?.AppliedAt.ToString("O"),
        };
        if (readiness.StoreHealth is { } health)
        {
            json["store"] = new JsonObject
            {
                ["name"] = health.Store,
                ["reachable"] = health.Reachable,
                ["detail"] = health.Detail,
                ["since"] = health.Since.ToString("O"),
            };
        }
        else
        {
            json["store"] = new JsonObject { ["name"] = "local", ["reachable"] = true };
        }
        return Results.Text(json.ToJsonString(), "application/json", statusCode: planLive && !readiness.Draining ? 200 : 503);
    }
}
