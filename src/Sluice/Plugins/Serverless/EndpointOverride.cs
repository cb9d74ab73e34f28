using Sluice.Plan;
using Sluice.Translation;

namespace Sluice.Plugins.Serverless;

/// <summary>
/// The <c>endpoint</c> field (sluice) of cloud function upstreams: a URL that replaces the
/// cloud's host, for emulators and local tests.
/// </summary>
internal static class EndpointOverride
{
    public static Uri? Read(SpecReader spec, Diagnostics diagnostics)
    {
        var text = spec.String("endpoint");
        if (text is null)
        {
            return null;
        }
        if (!Uri.TryCreate(text, UriKind.Absolute, out var endpoint)
            || endpoint.Scheme is not ("http" or "https")
            || endpoint.AbsolutePath != "/" || endpoint.Query.Length > 0 || endpoint.UserInfo.Length > 0)
        {
            diagnostics.Error("spec.endpoint", $"'{text}' must be an absolute http or https URL without path or query (e.g. http://127.0.0.1:7071)");
            return null;
        }
        return endpoint;
    }

    /// <summary>A TLS cluster for the cloud's host on 443, or one for the override.</summary>
    public static ClusterPlan Cluster(string name, string cloudHost, Uri? endpoint, TimeSpan connectTimeout) => endpoint is null
        ? new ClusterPlan
        {
            Name = name,
            Endpoints = new([new EndpointPlan(cloudHost, 443)]),
            UseTls = true,
            TlsServerName = cloudHost,
            ConnectTimeout = connectTimeout,
            AutoHostRewrite = true,
        }
        : new ClusterPlan
        {
            Name = name,
            Endpoints = new([new EndpointPlan(endpoint.IdnHost, endpoint.Port)]),
            UseTls = endpoint.Scheme == "https",
            TlsServerName = endpoint.HostNameType == UriHostNameType.Dns ? endpoint.IdnHost : null,
            ConnectTimeout = connectTimeout,
            AutoHostRewrite = true,
        };
}
