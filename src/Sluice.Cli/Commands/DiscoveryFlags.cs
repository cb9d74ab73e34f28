using System.CommandLine;
using Sluice.Discovery;

namespace Sluice.Cli.Commands;

/// <summary>
/// The discovery flags of <c>sluice run</c> and <c>sluice discover</c>; like every flag each falls
/// back to <c>SLUICE_&lt;FLAG&gt;</c>.
/// </summary>
internal sealed class DiscoveryFlags
{
    public Option<string?> Mode { get; } = new("--discovery")
    {
        Description = $"Function discovery: opt-in (upstreams annotated or naming a document), all (every upstream not opted out) or disabled [env: {EnvironmentFallback.VariableFor("--discovery")}; default: opt-in]",
        HelpName = "opt-in|all|disabled",
    };

    public Option<string?> ProbePaths { get; } = new("--discovery-probe-paths")
    {
        Description = $"Paths probed for an OpenAPI document, comma-separated [env: {EnvironmentFallback.VariableFor("--discovery-probe-paths")}; default: {string.Join(",", DiscoveryOptions.DefaultProbePaths)}]",
        HelpName = "/P1,/P2,…",
    };

    public IEnumerable<Option> All => [Mode, ProbePaths];

    public DiscoveryOptions Resolve(ParseResult parseResult, CliContext context)
    {
        var options = DiscoveryOptions.Default;
        if (EnvironmentFallback.Get(parseResult, Mode, context) is { } mode)
        {
            options = options with
            {
                Mode = mode.Trim().ToLowerInvariant() switch
                {
                    "opt-in" or "optin" => DiscoveryMode.OptIn,
                    "all" => DiscoveryMode.All,
                    "disabled" or "off" => DiscoveryMode.Disabled,
                    _ => throw new CliException($"{EnvironmentFallback.SourceOf(parseResult, Mode, context)}: '{mode}' is not a discovery mode (opt-in, all or disabled)"),
                },
            };
        }
        if (EnvironmentFallback.Get(parseResult, ProbePaths, context) is { } paths)
        {
            var list = paths.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            if (list.Length == 0 || list.FirstOrDefault(p => !p.StartsWith('/') || p.Contains("://", StringComparison.Ordinal)) is { } bad)
            {
                throw new CliException($"{EnvironmentFallback.SourceOf(parseResult, ProbePaths, context)}: '{paths}' must list paths starting with '/' (e.g. /swagger.json,/openapi.json)");
            }
            options = options with { ProbePaths = list };
        }
        return options;
    }
}
