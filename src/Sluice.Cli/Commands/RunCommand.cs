using System.CommandLine;
using System.Net;
using Sluice.Gateway;
using Sluice.Storage;

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
            var onKubernetes = binder.Store.IsKubernetes(parseResult, context);
            if (!onKubernetes && !Directory.Exists(options.ConfigDir))
            {
                throw new CliException($"config directory '{options.ConfigDir}' does not exist (set it with --config-dir or SLUICE_CONFIG_DIR)");
            }
            var store = onKubernetes ? binder.Store.Open(parseResult, context) : new FileStore(options.ConfigDir);
            using var disposable = store as IDisposable;
            var source = onKubernetes ? binder.Store.Describe(parseResult, context) : options.ConfigDir;

            var server = await SluiceServer.StartAsync(options, store, cancellationToken: cancellationToken);
            await using (server)
            {
                context.Out.WriteLine(Describe(options, server.HttpPort, server.HttpsPort, server.Http2Port, server.AdminPort, source));
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

    /// <summary>The one line saying where the gateway listens: the listeners it actually bound (null = off).</summary>
    internal static string Describe(GatewayOptions options, int? httpPort, int? httpsPort, int? http2Port, int? adminPort, string? source = null)
    {
        var parts = new List<string>();
        if (httpPort is { } http)
        {
            parts.Add($"http on {new IPEndPoint(options.Bind, http)}");
        }
        if (httpsPort is { } https)
        {
            parts.Add($"https on {new IPEndPoint(options.Bind, https)}");
        }
        if (http2Port is { } h2c)
        {
            parts.Add($"h2c on {new IPEndPoint(options.Bind, h2c)}");
        }
        if (adminPort is { } admin)
        {
            parts.Add($"admin on {new IPEndPoint(options.AdminBind, admin)}");
        }
        var listeners = parts.Count == 0 ? "no listeners" : string.Join(", ", parts);
        var role = options.Role.ToString().ToLowerInvariant();
        return $"sluice {VersionCommand.Version} ({role}) serving {source ?? options.ConfigDir}: {listeners}; Ctrl+C to stop";
    }
}
