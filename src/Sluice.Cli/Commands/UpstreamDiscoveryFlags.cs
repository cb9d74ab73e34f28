using System.CommandLine;

namespace Sluice.Cli.Commands;

/// <summary>
/// <c>--discovery-upstreams</c>: the registries <c>sluice run</c> creates upstreams from, a
/// comma-separated list (off by default). Consul is the one built so far.
/// </summary>
internal sealed class UpstreamDiscoveryFlags
{
    private static readonly string[] Known = ["consul"];

    public Option<string?> Sources { get; } = new("--discovery-upstreams")
    {
        Description = $"Create one upstream per service of these registries, comma-separated: consul [env: {EnvironmentFallback.VariableFor("--discovery-upstreams")}; default: none]",
        HelpName = "consul",
    };

    public IEnumerable<Option> All => [Sources];

    public IReadOnlySet<string> Resolve(ParseResult parseResult, CliContext context)
    {
        if (EnvironmentFallback.Get(parseResult, Sources, context) is not { } text)
        {
            return new HashSet<string>();
        }
        var sources = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(s => s.ToLowerInvariant()).ToHashSet(StringComparer.Ordinal);
        if (sources.FirstOrDefault(s => !Known.Contains(s)) is { } unknown)
        {
            throw new CliException($"{EnvironmentFallback.SourceOf(parseResult, Sources, context)}: '{unknown}' is not a registry upstreams are discovered from ({string.Join(", ", Known)})");
        }
        return sources;
    }
}
