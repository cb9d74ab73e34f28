using System.CommandLine;
using System.Net;
using Sluice.Gateway;

namespace Sluice.Cli.Commands;

/// <summary><c>sluice run</c>: serves the config folder until Ctrl+C or SIGTERM.</summary>
internal static class RunCommand
{
    public static Command Create(CliContext context)
    {
        var binder = new RunOptionsBinder();
        var command = new Command("run", "Run the gateway on a config folder (every flag also reads SLUICE_<FLAG>)");
        foreach (var option in binder.All)
        {
            command.Add(option);
        }
        CommandAction.Set(command, context, async (parseResult, cancellationToken) =>
        {
            var options = binder.Resolve(parseResult, context);
            if (!Directory.Exists(options.ConfigDir))
            {
                throw new CliException($"config directory '{options.ConfigDir}' does not exist (set it with --config-dir or SLUICE_CONFIG_DIR)");
            }

            var server = await SluiceServer.StartAsync(options, cancellationToken);
            await using (server)
            {
                context.Out.WriteLine(Describe(options));
                try
                {
                    await server.Completion.WaitAsync(cancellationToken);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    // Ctrl+C or SIGTERM: disposing the server drains in-flight requests.
                }
            }
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Parses <c>sluice run ARGS</c> into options without running anything (for tests).</summary>
    internal static GatewayOptions ParseOptions(IReadOnlyList<string> args, Func<string, string?> environment)
    {
        var context = new CliContext(TextWriter.Null, TextWriter.Null, TextReader.Null, environment);
        var binder = new RunOptionsBinder();
        var command = new RootCommand();
        var run = new Command("run");
        foreach (var option in binder.All)
        {
            run.Add(option);
        }
        command.Add(run);
        var parseResult = command.Parse(["run", .. args]);
        if (parseResult.Errors.Count > 0)
        {
            throw new CliException(parseResult.Errors[0].Message);
        }
        return binder.Resolve(parseResult, context);
    }

    /// <summary>The one line saying where the gateway listens.</summary>
    internal static string Describe(GatewayOptions options)
    {
        var parts = new List<string>();
        if (options.Role != GatewayRole.Controller)
        {
            if (options.HttpPort != 0)
            {
                parts.Add($"http on {new IPEndPoint(options.Bind, options.HttpPort)}");
            }
            if (options.Http2Port != 0)
            {
                parts.Add($"h2c on {new IPEndPoint(options.Bind, options.Http2Port)}");
            }
            if (options.HttpsPort != 0)
            {
                parts.Add($"https on {new IPEndPoint(options.Bind, options.HttpsPort)}");
            }
        }
        if (options.AdminPort != 0)
        {
            parts.Add($"admin on {new IPEndPoint(options.AdminBind, options.AdminPort)}");
        }
        var role = options.Role.ToString().ToLowerInvariant();
        return $"sluice {VersionCommand.Version} ({role}) serving {options.ConfigDir}: {string.Join(", ", parts)}; Ctrl+C to stop";
    }
}
