using System.CommandLine;
using Sluice.Kubernetes.UpstreamDiscovery;

namespace Sluice.Cli.Commands;

/// <summary>
/// Upstream discovery flags of <c>sluice run</c>: <c>--discovery-upstreams</c>, a comma-separated
/// list of the registries to make upstreams of (<c>kubernetes</c>, <c>consul</c>; off by default),
/// and which Services the Kubernetes one reads. Each falls back to <c>SLUICE_&lt;FLAG&gt;</c>.
/// </summary>
internal sealed class UpstreamDiscoveryFlags
{
    private static readonly string[] Known = ["kubernetes", "consul", "none"];

    public Option<string?> Sources { get; } = Create("--discovery-upstreams", "kubernetes,consul|none",
        "Make upstreams of a registry's services: kubernetes (one per Service port, namespace-service-port), consul (one per catalog service)", "none");

    public Option<string?> Namespaces { get; } = Create("--discovery-namespaces", "NS[,NS…]", "Namespaces whose Services upstream discovery reads", "all but kube-system");

    public Option<string?> LabelSelector { get; } = Create("--discovery-label-selector", "SELECTOR", "Kubernetes label selector Services must match (e.g. expose=true,tier!=db)", "none");

    public IEnumerable<Option> All => [Sources, Namespaces, LabelSelector];

    /// <summary>The Kubernetes upstream discovery asked for; null when off.</summary>
    public KubernetesUpstreamDiscoveryOptions? Resolve(ParseResult parseResult, CliContext context)
    {
        if (!Chosen(parseResult, context).Contains("kubernetes"))
        {
            return null;
        }
        string? Get(Option<string?> option) => EnvironmentFallback.Get(parseResult, option, context);
        var namespaces = (Get(Namespaces) ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return new KubernetesUpstreamDiscoveryOptions { Namespaces = namespaces, LabelSelector = Get(LabelSelector) };
    }

    /// <summary>Whether upstreams are made of the Consul catalog (where Consul is: <see cref="ConsulFlags"/>).</summary>
    public bool FromConsul(ParseResult parseResult, CliContext context) => Chosen(parseResult, context).Contains("consul");

    private string[] Chosen(ParseResult parseResult, CliContext context)
    {
        var sources = (EnvironmentFallback.Get(parseResult, Sources, context) ?? "none")
            .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(s => s.ToLowerInvariant())
            .ToArray();
        if (sources.FirstOrDefault(s => !Known.Contains(s)) is { } unknown)
        {
            throw new CliException($"{EnvironmentFallback.SourceOf(parseResult, Sources, context)}: '{unknown}' is not an upstream discovery source (kubernetes, consul or none)");
        }
        return sources;
    }

    private static Option<string?> Create(string name, string helpName, string description, string defaultValue) => new(name)
    {
        Description = $"{description} [env: {EnvironmentFallback.VariableFor(name)}; default: {defaultValue}]",
        HelpName = helpName,
    };
}
