using System.Net;
using Sluice.Api;
using Sluice.Plan;
using Sluice.Translation;

namespace Sluice.Plugins.Static;

/// <summary>
/// <c>type: static</c> (Gloo 0.2's <c>service</c>): a fixed list of hosts, IP addresses or DNS
/// names. TLS is on when asked, or by default when any host listens on 443; routes to DNS-named
/// hosts send the host's own name as Host, so external services see what they expect.
/// </summary>
internal sealed class StaticUpstreamPlugin : IUpstreamPlugin
{
    public string Name => "static";

    public IReadOnlyList<string> UpstreamTypes { get; } = ["static", "service"];

    public ClusterPlan? BuildCluster(Upstream upstream, TranslationContext context, Diagnostics diagnostics)
    {
        var spec = new SpecReader(upstream.Spec, "spec", diagnostics);
        var hosts = spec.Objects("hosts");
        // Read so it is not reported as unknown; the OS resolver already returns both families.
        spec.Bool("enable_ipv6");
        var tls = spec.Bool("tls");
        spec.WarnUnknownKeys();

        if (hosts is null || hosts.Count == 0)
        {
            diagnostics.Error("spec.hosts", "must provide at least 1 host");
            return null;
        }

        var endpoints = new List<EndpointPlan>();
        var anyDnsName = false;
        string? lastDnsName = null;
        foreach (var host in hosts)
        {
            var address = host.String("addr");
            var port = host.Integer("port", 1, 65535);
            host.WarnUnknownKeys();
            if (string.IsNullOrWhiteSpace(address))
            {
                diagnostics.Error("spec.hosts", "ip cannot be empty");
                continue;
            }
            if (port is null)
            {
                if (!host.Has("port"))
                {
                    diagnostics.Error("spec.hosts", $"port cannot be empty (host '{address}')");
                }
                continue;
            }
            address = address.Trim().Trim('[', ']');
            if (IPAddress.TryParse(address, out _))
            {
                // IP literals (IPv6 included) connect as written; enable_ipv6 steers only DNS.
            }
            else if (Uri.CheckHostName(address) != UriHostNameType.Dns)
            {
                diagnostics.Error("spec.hosts", $"'{address}' is neither an IP address nor a host name");
                continue;
            }
            else
            {
                anyDnsName = true;
                lastDnsName = address;
            }
            endpoints.Add(new EndpointPlan(address, (int)port.Value));
        }
        if (diagnostics.HasErrors)
        {
            return null;
        }

        return new ClusterPlan
        {
            Name = upstream.Name,
            Endpoints = new(endpoints),
            UseTls = tls ?? endpoints.Any(e => e.Port == 443),
            TlsServerName = lastDnsName,
            ConnectTimeout = upstream.ConnectionTimeout ?? ClusterDefaults.ConnectTimeout,
            AutoHostRewrite = anyDnsName,
            Functions = new(upstream.Functions.Select(f => f.Name)),
        };
    }
}
