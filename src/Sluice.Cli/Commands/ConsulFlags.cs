using System.CommandLine;
using Sluice.Consul;

namespace Sluice.Cli.Commands;

/// <summary>
/// Where <c>sluice run</c> finds Consul, for <c>type: consul</c> upstreams and Consul upstream
/// discovery: <c>--consul-address</c>, else <c>SLUICE_CONSUL_ADDRESS</c>, else Consul's own
/// <c>CONSUL_HTTP_ADDR</c>. The ACL token comes from <c>CONSUL_HTTP_TOKEN</c> only, as for
/// Consul's tools: a flag would show it to every user of the machine in the process list.
/// </summary>
internal sealed class ConsulFlags
{
    public const string AddressVariable = "CONSUL_HTTP_ADDR";
    public const string TokenVariable = "CONSUL_HTTP_TOKEN";

    public Option<string?> Address { get; } = new("--consul-address")
    {
        Description = $"Consul agent for consul upstreams and --discovery-upstreams consul [env: {EnvironmentFallback.VariableFor("--consul-address")}, then {AddressVariable}; token from {TokenVariable}; default: {ConsulOptions.DefaultAddress.Authority}]",
        HelpName = "[http[s]://]HOST:PORT",
    };

    public IEnumerable<Option> All => [Address];

    public ConsulOptions Resolve(ParseResult parseResult, CliContext context)
    {
        var options = new ConsulOptions();
        var (text, source) = EnvironmentFallback.Get(parseResult, Address, context) is { } flag
            ? (flag, EnvironmentFallback.SourceOf(parseResult, Address, context))
            : (context.Environment(AddressVariable), AddressVariable);
        if (!string.IsNullOrEmpty(text))
        {
            if (!ConsulOptions.TryParseAddress(text, out var address))
            {
                throw new CliException($"{source}: '{text}' is not a Consul address (HOST:PORT, http://HOST:PORT or https://HOST:PORT)");
            }
            options = options with { Address = address };
        }
        return context.Environment(TokenVariable) is { Length: > 0 } token ? options with { Token = token } : options;
    }
}
