using System.CommandLine;
using Sluice.Kubernetes;
using Sluice.Storage;

namespace Sluice.Cli.Commands;

/// <summary>
/// Which store a command talks to: <c>--store file</c> (the config folder, default) or
/// <c>--store kubernetes</c> (custom resources in a cluster) with its namespace and kubeconfig.
/// Shared by <c>run</c> and every config verb, so the CLI works against a cluster exactly as
/// against a folder. Each flag falls back to <c>SLUICE_&lt;FLAG&gt;</c>.
/// </summary>
internal sealed class StoreFlags
{
    public Option<string?> ConfigDir { get; } = ConfigDirOption.Create();

    public Option<string?> Store { get; } = Create("--store", "file|kubernetes", "Where configuration lives", "file");

    public Option<string?> Namespace { get; } = Create("--namespace", "NS", "Kubernetes namespace read and written", KubernetesStoreOptions.DefaultNamespace);

    public Option<bool> AllNamespaces { get; } = new("--all-namespaces")
    {
        Description = "Kubernetes: watch Upstreams, VirtualServices and Secrets of every namespace (new objects go to --namespace)",
    };

    public Option<string?> Kubeconfig { get; } = Create("--kubeconfig", "FILE", "Kubernetes cluster to use", "in-cluster, else KUBECONFIG, else ~/.kube/config");

    public IEnumerable<Option> All => [ConfigDir, Store, Namespace, AllNamespaces, Kubeconfig];

    /// <summary>True when the command talks to a Kubernetes cluster.</summary>
    public bool IsKubernetes(ParseResult parseResult, CliContext context) => Kind(parseResult, context) == "kubernetes";

    /// <summary>The config folder (file store), which must exist: a typo must not look like an empty config.</summary>
    public string ConfigDirectory(ParseResult parseResult, CliContext context) =>
        ConfigDirOption.ResolveExisting(parseResult, ConfigDir, context);

    /// <summary>Opens the store the flags name; the caller disposes it when it is disposable.</summary>
    public IConfigStore Open(ParseResult parseResult, CliContext context, Microsoft.Extensions.Logging.ILogger? logger = null) =>
        IsKubernetes(parseResult, context)
            ? OpenKubernetes(KubernetesOptions(parseResult, context), logger)
            : Stores.OpenFiles(ConfigDirectory(parseResult, context));

    /// <summary>Where the store is, for messages: the folder or the cluster and namespace.</summary>
    public string Describe(ParseResult parseResult, CliContext context) =>
        IsKubernetes(parseResult, context)
            ? $"kubernetes namespace {(KubernetesOptions(parseResult, context) is { AllNamespaces: true } ? "(all)" : KubernetesOptions(parseResult, context).Namespace)}"
            : ConfigDirOption.Resolve(parseResult, ConfigDir, context);

    public KubernetesStoreOptions KubernetesOptions(ParseResult parseResult, CliContext context)
    {
        string? Get(Option<string?> option) => EnvironmentFallback.Get(parseResult, option, context);
        var ns = Get(Namespace) ?? KubernetesStoreOptions.DefaultNamespace;
        // A DNS-1123 label, as the API server requires: catch a typo before any request.
        if (ns.Length is 0 or > 63 || !ns.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-') || ns[0] == '-' || ns[^1] == '-')
        {
            throw new CliException($"{EnvironmentFallback.SourceOf(parseResult, Namespace)}: '{ns}' is not a namespace name (lowercase letters, digits and '-')");
        }
        var allNamespaces = parseResult.GetValue(AllNamespaces)
            || context.Environment(EnvironmentFallback.VariableFor(AllNamespaces.Name)) is "1" or "true";
        var kubeconfig = Get(Kubeconfig);
        if (kubeconfig is not null && !File.Exists(kubeconfig))
        {
            throw new CliException($"{EnvironmentFallback.SourceOf(parseResult, Kubeconfig)}: '{kubeconfig}' does not exist");
        }
        return new KubernetesStoreOptions { Namespace = ns, AllNamespaces = allNamespaces, Kubeconfig = kubeconfig };
    }

    private static KubernetesStore OpenKubernetes(KubernetesStoreOptions options, Microsoft.Extensions.Logging.ILogger? logger)
    {
        try
        {
            return new KubernetesStore(options, logger);
        }
        catch (Exception e) when (e is k8s.Exceptions.KubeConfigException or FileNotFoundException or IOException)
        {
            throw new CliException($"--store kubernetes: no cluster found ({e.Message}); run inside a pod, set KUBECONFIG, or pass --kubeconfig");
        }
    }

    private string Kind(ParseResult parseResult, CliContext context)
    {
        var kind = EnvironmentFallback.Get(parseResult, Store, context)?.Trim().ToLowerInvariant() ?? "file";
        return kind is "file" or "kubernetes"
            ? kind
            : throw new CliException($"{EnvironmentFallback.SourceOf(parseResult, Store)}: '{kind}' is not a store (file or kubernetes)");
    }

    private static Option<string?> Create(string name, string helpName, string description, object defaultValue) => new(name)
    {
        Description = $"{description} [env: {EnvironmentFallback.VariableFor(name)}; default: {defaultValue}]",
        HelpName = helpName,
    };
}
