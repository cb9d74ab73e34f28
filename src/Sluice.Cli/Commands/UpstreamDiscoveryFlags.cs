using System.CommandLine;
using Sluice.Kubernetes.UpstreamDiscovery;

namespace Sluice.Cli.Commands;

/// <summary>
/// Upstream discovery flags of <c>sluice run</c>: <c>--discovery-upstreams kubernetes</c> (off by
/// default) and which Services it reads. Each falls back to <c>SLUICE_&lt;FLAG&gt;</c>.
/// </summary>
internal sealed class UpstreamDiscoveryFlags
{
    public Option<string?> Sources { get; } = Create("--discovery-upstreams", "kubernetes|none", "Make upstreams of the cluster's Services (one per port, namespace-service-port)", "none");

    public Option<string?> Namespaces { get; } = Create("--discovery-namespaces", "NS[,NS…]", "Namespaces whose Services upstream discovery reads", "all but kube-system");

    public Option<string?> LabelSelector { get; } = Create("--discovery-label-selector", "SELECTOR", "Kubernetes label selector Services must match (e.g. expose=true,tier!=db)", "none");

    public IEnumerable<Option> All => [Sources, Namespaces, LabelSelector];

    /// <summary>The Kubernetes upstream discovery asked for; null when off.</summary>
    public KubernetesUpstreamDiscoveryOptions? Resolve(ParseResult parseResult, CliContext context)
    {
        string? Get(Option<string?> option) => EnvironmentFallback.Get(parseResult, option, context);
        var sources = (Get(Sources) ?? "none").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (sources.FirstOrDefault(s => s is not ("kubernetes" or "none")) is { } unknown)
        {
            throw new CliException($"{EnvironmentFallback.SourceOf(parseResult, Sources, context)}: '{unknown}' is not an upstream discovery source (kubernetes or none)");
        }
        if (!sources.Contains("kubernetes"))
        {
            return null;
        }
        var namespaces = (Get(Namespaces) ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return new KubernetesUpstreamDiscoveryOptions { Namespaces = namespaces, LabelSelector = Get(LabelSelector) };
    }

    private static Option<string?> Create(string name, string helpName, string description, string defaultValue) => new(name)
    {
        Description = $"{description} [env: {EnvironmentFallback.VariableFor(name)}; default: {defaultValue}]",
        HelpName = helpName,
    };
}
