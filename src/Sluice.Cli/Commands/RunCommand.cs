using System.CommandLine;
using System.Net;
using Microsoft.Extensions.Logging;
using Sluice.Consul;
using Sluice.Etcd;
using Sluice.Gateway;
using Sluice.Gateway.Endpoints;
using Sluice.Hosting;
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
        command.Add(binder.ConfigDirArgument);
        CommandAction.Set(command, context, async (parseResult, cancellationToken) =>
        {
            var options = binder.Resolve(parseResult, context);
            if (binder.Store.IsEtcd(parseResult, context))
            {
                return await RunOnEtcdAsync(context, binder, options, binder.Store.EtcdOptions(parseResult, context, binder.ResolveLeaseTtl(parseResult, context)), binder.Discovery.Resolve(parseResult, context), parseResult, cancellationToken);
            }
            var onKubernetes = binder.Store.IsKubernetes(parseResult, context);
            if (!onKubernetes && !Directory.Exists(options.ConfigDir))
            {
                throw new CliException($"config directory '{options.ConfigDir}' does not exist (set it with --config-dir or SLUICE_CONFIG_DIR)");
            }
            var store = onKubernetes ? binder.Store.Open(parseResult, context) : new FileStore(options.ConfigDir);
            using var disposable = store as IDisposable;
            var source = onKubernetes ? binder.Store.Describe(parseResult, context) : options.ConfigDir;

            // On Kubernetes, controllers elect one leader on a Lease (so replicas can be more than one).
            using var loggers = LoggerFactory.Create(logging => logging.AddSimpleConsole(console => console.SingleLine = true).SetMinimumLevel(LogLevel.Information));
            await using var election = store is Kubernetes.KubernetesStore cluster
                ? new Kubernetes.KubernetesLeaseElection(cluster, campaign: options.Role != GatewayRole.Gateway, binder.ResolveLeaseTtl(parseResult, context), logger: loggers.CreateLogger<Kubernetes.KubernetesLeaseElection>())
                : null;
            election?.Start();
            await using var discovery = new DiscoveryHost(options, binder.Discovery.Resolve(parseResult, context), store, election);
            await using var kubernetesEndpoints = KubernetesEndpoints(binder, parseResult, context, loggers);
            using var consulEndpoints = new ConsulEndpointSource(binder.Consul.Resolve(parseResult, context), loggers);
            await using var upstreamDiscovery = UpstreamDiscovery(binder, options, parseResult, context, store, election, loggers);
            var server = await StartAsync(binder, options, () => SluiceServer.StartAsync(options, store, SluicePlugins.Default, cancellationToken: cancellationToken, leadership: election, mapAdmin: admin =>
            {
                discovery.MapAdmin(admin);
                Proxy.ListenersEndpoint.Map(admin, options);
            }, endpointSources: new([kubernetesEndpoints, consulEndpoints])));
            discovery.Start(server);
            upstreamDiscovery.Start();
            return await ServeAsync(context, options, server, source, cancellationToken);
        });
        return command;
    }

    /// <summary>
    /// Serves from etcd. Controllers (and <c>all</c>) campaign for the leader lease and write
    /// statuses and run function discovery only while they lead; gateways follow who leads, for <c>/readyz</c>. Leaving, a
    /// leader gives its lease back so a standby takes over at once.
    /// </summary>
    private static async Task<int> RunOnEtcdAsync(CliContext context, RunOptionsBinder binder, GatewayOptions options, EtcdOptions etcd, Discovery.DiscoveryOptions discoveryOptions, ParseResult parseResult, CancellationToken cancellationToken)
    {
        using var loggers = LoggerFactory.Create(logging => logging.AddSimpleConsole(console => console.SingleLine = true).SetMinimumLevel(LogLevel.Information));
        await using var kubernetesEndpoints = KubernetesEndpoints(binder, parseResult, context, loggers);
        using var consulEndpoints = new ConsulEndpointSource(binder.Consul.Resolve(parseResult, context), loggers);
        using var store = new EtcdStore(etcd, loggers.CreateLogger<EtcdStore>());
        var election = new EtcdLeaderElection(store, campaign: options.Role != GatewayRole.Gateway, logger: loggers.CreateLogger<EtcdLeaderElection>());
        await using (election)
        {
            election.Start();
            await using var discovery = new DiscoveryHost(options, discoveryOptions, store, election);
            await using var upstreamDiscovery = UpstreamDiscovery(binder, options, parseResult, context, store, election, loggers);
            var server = await StartAsync(binder, options, () => SluiceServer.StartAsync(options, store, SluicePlugins.Default, cancellationToken: cancellationToken, leadership: election, mapAdmin: admin =>
            {
                discovery.MapAdmin(admin);
                Proxy.ListenersEndpoint.Map(admin, options);
            }, endpointSources: new([kubernetesEndpoints, consulEndpoints])));
            discovery.Start(server);
            upstreamDiscovery.Start();
            return await ServeAsync(context, options, server, etcd.Describe(), cancellationToken);
        }
    }

    /// <summary>
    /// Endpoints of <c>kubernetes</c> upstreams, whatever the store: the cluster of <c>--kubeconfig</c>
    /// (else in-cluster, KUBECONFIG, ~/.kube/config), looked for only once such an upstream exists.
    /// </summary>
    private static Kubernetes.Endpoints.KubernetesEndpointSource KubernetesEndpoints(RunOptionsBinder binder, ParseResult parseResult, CliContext context, ILoggerFactory loggers) =>
        Kubernetes.Endpoints.KubernetesEndpointSource.For(binder.Store.KubernetesOptions(parseResult, context), loggers.CreateLogger<Kubernetes.Endpoints.KubernetesEndpointSource>());

    /// <summary>
    /// Upstreams made of the cluster's Services and of the Consul catalog's services
    /// (<c>--discovery-upstreams kubernetes,consul</c>), written while this process leads.
    /// </summary>
    private static UpstreamDiscoveryHost UpstreamDiscovery(RunOptionsBinder binder, GatewayOptions options, ParseResult parseResult, CliContext context, IConfigStore store, ILeadership? leadership, ILoggerFactory loggers) =>
        new(options, binder.UpstreamDiscovery.Resolve(parseResult, context), binder.Store.KubernetesOptions(parseResult, context),
            binder.UpstreamDiscovery.FromConsul(parseResult, context) ? binder.Consul.Resolve(parseResult, context) : null, store, leadership, loggers);

    /// <summary>Starts the server; a port already taken is one line naming its flag, not a stack trace.</summary>
    private static async Task<SluiceServer> StartAsync(RunOptionsBinder binder, GatewayOptions options, Func<Task<SluiceServer>> start)
    {
        try
        {
            return await start();
        }
        catch (IOException e) when (PortInUse(e) is { } port)
        {
            var flag = binder.FlagForPort(options, port) ?? "a port flag";
            throw new CliException($"{flag} {port}: the port is already in use by another process (choose another with {flag}, or 0 to turn it off)");
        }
    }

    /// <summary>The port of Kestrel's "Failed to bind to address http://[::]:8080: address already in use."</summary>
    private static int? PortInUse(IOException e)
    {
        var match = System.Text.RegularExpressions.Regex.Match(e.Message, @":(\d+): address already in use", System.Text.RegularExpressions.RegexOptions.CultureInvariant);
        return match.Success && int.TryParse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture, out var port) ? port : null;
    }

    private static async Task<int> ServeAsync(CliContext context, GatewayOptions options, SluiceServer server, string source, CancellationToken cancellationToken)
    {
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
    }

    /// <summary>The etcd options <c>sluice run ARGS</c> would connect with (for tests); null for the file store.</summary>
    internal static EtcdOptions? ParseEtcdOptions(IReadOnlyList<string> args, Func<string, string?> environment)
    {
        var context = new CliContext(TextWriter.Null, TextWriter.Null, TextReader.Null, environment);
        var binder = new RunOptionsBinder();
        var run = new Command("run");
        foreach (var option in binder.All)
        {
            run.Add(option);
        }
        run.Add(binder.ConfigDirArgument);
        var parseResult = new RootCommand { run }.Parse(["run", .. args]);
        return binder.Store.IsEtcd(parseResult, context)
            ? binder.Store.EtcdOptions(parseResult, context, binder.ResolveLeaseTtl(parseResult, context))
            : null;
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
        run.Add(binder.ConfigDirArgument);
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
