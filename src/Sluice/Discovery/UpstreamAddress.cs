using System.Text.Json;
using Sluice.Api;

namespace Sluice.Discovery;

/// <summary>
/// Where discovery reaches an upstream: the first host of a static upstream (https when its
/// spec says <c>tls</c> or the port is 443, as the static plugin decides), or a kubernetes
/// service's cluster DNS name. Null when the upstream has no address of its own.
/// </summary>
internal static class UpstreamAddress
{
    public static Uri? Of(Upstream upstream)
    {
        var spec = upstream.Spec.Root;
        switch (upstream.Type)
        {
            case "static" or "service":
                if (!spec.TryGetProperty("hosts", out var hosts) || hosts.ValueKind != JsonValueKind.Array || hosts.GetArrayLength() == 0)
                {
                    return null;
                }
                var first = hosts[0];
                if (!first.TryGetProperty("addr", out var addr) || addr.ValueKind != JsonValueKind.String
                    || !first.TryGetProperty("port", out var portNode) || !portNode.TryGetInt32(out var port))
                {
                    return null;
                }
                var tls = spec.TryGetProperty("tls", out var tlsNode) ? tlsNode.ValueKind is JsonValueKind.True or JsonValueKind.Object : port == 443;
                return Build(tls ? "https" : "http", addr.GetString()!, port);
            case "kubernetes":
                if (!spec.TryGetProperty("service_name", out var name) || !spec.TryGetProperty("service_namespace", out var ns))
                {
                    return null;
                }
                var servicePort = spec.TryGetProperty("service_port", out var p) && p.TryGetInt32(out var value) ? value : 80;
                return Build("http", $"{name.GetString()}.{ns.GetString()}.svc.cluster.local", servicePort);
            default:
                return null;
        }
    }

    private static Uri? Build(string scheme, string host, int port)
    {
        var bracketed = host.Contains(':') && !host.StartsWith('[') ? $"[{host}]" : host;
        return Uri.TryCreate($"{scheme}://{bracketed}:{port}/", UriKind.Absolute, out var uri) ? uri : null;
    }
}
