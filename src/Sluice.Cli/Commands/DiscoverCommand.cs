using System.CommandLine;
using Microsoft.Extensions.Logging;
using Sluice.Cli.Output;
using Sluice.Discovery;

namespace Sluice.Cli.Commands;

/// <summary>
/// <c>sluice discover [--watch]</c>: function discovery on its own, as a client of the store. One
/// pass prints where it stands with each upstream; <c>--watch</c> keeps following the store
/// (logging one line per change of an upstream's state) until Ctrl+C. Any store: a folder, etcd or
/// Kubernetes (<c>--store</c>); on a shared store it writes as the leading controller would, so it is
/// meant for when no controller runs discovery (<c>--discovery disabled</c> on them), or for a look.
/// </summary>
internal static class DiscoverCommand
{
    public static Command Create(CliContext context)
    {
        var storeFlags = new StoreFlags();
        var flags = new DiscoveryFlags();
        var watch = new Option<bool>("--watch") { Description = "Keep discovering as upstreams change, until Ctrl+C" };
        var command = new Command("discover", "Find functions (OpenAPI, gRPC reflection, Lambda and FaaS listings) and store them beside the upstreams") { watch };
        foreach (var option in flags.All.Concat(storeFlags.All))
        {
            command.Add(option);
        }
        CommandAction.Set(command, context, async (parseResult, cancellationToken) =>
        {
            var options = flags.Resolve(parseResult, context);
            if (options.Mode == DiscoveryMode.Disabled)
            {
                throw new CliException("discovery is disabled (--discovery disabled): nothing to do");
            }
            var store = storeFlags.Open(parseResult, context);
            using var disposable = store as IDisposable;
            var dir = storeFlags.Describe(parseResult, context);
            if (parseResult.GetValue(watch))
            {
                using var loggers = LoggerFactory.Create(f => f.AddSimpleConsole(c => c.SingleLine = true).SetMinimumLevel(LogLevel.Information));
                using var service = new DiscoveryService(store, options, loggers.CreateLogger<DiscoveryService>());
                context.Out.WriteLine($"sluice discover ({DiscoveryAdminEndpoints.Name(options.Mode)}) watching {dir}; Ctrl+C to stop");
                await service.RunAsync(cancellationToken);
                return ExitCodes.Success;
            }
            using (var service = new DiscoveryService(store, options, Microsoft.Extensions.Logging.Abstractions.NullLogger<DiscoveryService>.Instance))
            {
                var states = await service.RunOnceAsync(cancellationToken);
                if (states.Count == 0)
                {
                    context.Out.WriteLine(options.Mode == DiscoveryMode.OptIn
                        ? $"no upstream asks for discovery (annotate one with {DiscoveryAnnotations.FunctionDiscovery}: enabled, or use --discovery all)"
                        : "no upstream to examine");
                    return ExitCodes.Success;
                }
                RowTable.Write(context.Out, ["UPSTREAM", "STATE", "FUNCTIONS", "SOURCE / REASON"], states.Select(s => (IReadOnlyList<string>)
                [
                    s.Upstream,
                    s.State,
                    s.Functions.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    s.State == "found" && s.Message is null ? s.Source ?? "" : ObjectTable.ShortReason(s.Message),
                ]));
            }
            return ExitCodes.Success;
        });
        return command;
    }
}
