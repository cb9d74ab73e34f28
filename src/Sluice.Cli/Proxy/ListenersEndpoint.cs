using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Sluice.Gateway;

namespace Sluice.Cli.Proxy;

/// <summary>
/// <c>GET /api/v1/listeners</c> on the admin port, mapped by <c>sluice run</c>: where traffic is
/// served, for <c>sluice proxy url</c>. <c>{"http": {"bind": "0.0.0.0", "port": 8080}, …}</c>
/// with only the listeners that are on. The bind address is what the gateway listens on; the
/// CLI turns an any-address into the host it reached the admin API with.
/// </summary>
internal static class ListenersEndpoint
{
    public const string Path = "/api/v1/listeners";

    public static void Map(IEndpointRouteBuilder admin, GatewayOptions options)
    {
        var json = new JsonObject();
        if (options.Role != GatewayRole.Controller)
        {
            foreach (var (name, port) in new[] { ("http", options.HttpPort), ("https", options.HttpsPort), ("h2c", options.Http2Port) })
            {
                if (port > 0)
                {
                    json[name] = new JsonObject { ["bind"] = options.Bind.ToString(), ["port"] = port };
                }
            }
        }
        var body = json.ToJsonString();
        admin.MapGet(Path, () => Results.Text(body, "application/json"));
    }

    /// <summary>A URL a client can use: an any-address becomes the admin API's host.</summary>
    public static string Url(string scheme, string bind, int port, Uri admin)
    {
        var address = IPAddress.TryParse(bind, out var ip) ? ip : null;
        var host = address is null ? bind
            : address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) ? admin.Host
            : address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]"
            : address.ToString();
        return $"{scheme}://{host}:{port}";
    }
}
