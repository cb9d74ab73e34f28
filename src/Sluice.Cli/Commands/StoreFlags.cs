using System.CommandLine;
using System.Globalization;
using Sluice.Etcd;
using Sluice.Kubernetes;
using Sluice.Storage;

namespace Sluice.Cli.Commands;

/// <summary>
/// Which store a command talks to: <c>--store file</c> (the config folder, default),
/// <c>--store etcd</c> with its endpoints, prefix, TLS and credentials, or
/// <c>--store kubernetes</c> (custom resources in a cluster) with its namespace and kubeconfig.
/// Shared by <c>run</c> and every config verb, so the CLI works against each exactly as against a
/// folder. Each flag falls back to <c>SLUICE_&lt;FLAG&gt;</c>.
/// </summary>
internal sealed class StoreFlags
{
    public Option<string?> ConfigDir { get; } = ConfigDirOption.Create();

    public Option<string?> Store { get; } = Create("--store", "file|etcd|kubernetes", "Where configuration lives", "file");

    public Option<string?> Endpoints { get; } = Create("--etcd-endpoints", "URL,…", "etcd client URLs (http:// or https://), comma-separated", "none");

    public Option<string?> Prefix { get; } = Create("--etcd-prefix", "PREFIX", "Key prefix everything lives under", Etcd.EtcdOptions.DefaultPrefix);

    public Option<string?> CaFile { get; } = Create("--etcd-ca-file", "PEM", "CA that etcd's certificates chain to (https endpoints)", "none");

    public Option<string?> CertFile { get; } = Create("--etcd-cert-file", "PEM", "Client certificate for etcd", "none");

    public Option<string?> KeyFile { get; } = Create("--etcd-key-file", "PEM", "Key of the client certificate", "none");

    public Option<string?> Username { get; } = Create("--etcd-username", "USER", "etcd user (authentication on)", "none");

    public Option<string?> Password { get; } = Create("--etcd-password", "PASSWORD", "Password of the etcd user (prefer SLUICE_ETCD_PASSWORD)", "none");

    public Option<string?> Namespace { get; } = Create("--namespace", "NS", "Kubernetes namespace read and written", KubernetesStoreOptions.DefaultNamespace);

    public Option<bool> AllNamespaces { get; } = new("--all-namespaces")
    {
        Description = "Kubernetes: watch Upstreams, VirtualServices and Secrets of every namespace (new objects go to --namespace)",
    };

    public Option<string?> Kubeconfig { get; } = Create("--kubeconfig", "FILE", "Kubernetes cluster to use", "in-cluster, else KUBECONFIG, else ~/.kube/config");

    public IEnumerable<Option> All => [ConfigDir, Store, Endpoints, Prefix, CaFile, CertFile, KeyFile, Username, Password, Namespace, AllNamespaces, Kubeconfig];

    /// <summary>True when the command talks to etcd.</summary>
    public bool IsEtcd(ParseResult parseResult, CliContext context) => Kind(parseResult, context) == "etcd";

    /// <summary>True when the command talks to a Kubernetes cluster.</summary>
    public bool IsKubernetes(ParseResult parseResult, CliContext context) => Kind(parseResult, context) == "kubernetes";

    /// <summary>The config folder (file store), which must exist: a typo must not look like an empty config.</summary>
    public string ConfigDirectory(ParseResult parseResult, CliContext context) =>
        ConfigDirOption.ResolveExisting(parseResult, ConfigDir, context);

    /// <summary>Opens the store the flags name; the caller disposes it when it is disposable.</summary>
    public IConfigStore Open(ParseResult parseResult, CliContext context, Microsoft.Extensions.Logging.ILogger? logger = null) =>
        Kind(parseResult, context) switch
        {
            "etcd" => new EtcdStore(EtcdOptions(parseResult, context), logger),
            "kubernetes" => OpenKubernetes(KubernetesOptions(parseResult, context), logger),
            _ => Stores.OpenFiles(ConfigDirectory(parseResult, context)),
        };

    /// <summary>
    /// Opens the store for a command that only reads: the file store read-only (no <c>.sluice/</c>,
    /// no lock); etcd and Kubernetes as usual (reading them writes nothing).
    /// </summary>
    public IConfigStore OpenForReading(ParseResult parseResult, CliContext context) =>
        Kind(parseResult, context) == "file"
            ? Stores.OpenFilesReadOnly(ConfigDirectory(parseResult, context))
            : Open(parseResult, context);

    /// <summary>"file", "etcd" or "kubernetes".</summary>
    public string KindOf(ParseResult parseResult, CliContext context) => Kind(parseResult, context);

    /// <summary>Where the store is, for messages: the folder, the etcd endpoints, or the cluster and namespace.</summary>
    public string Describe(ParseResult parseResult, CliContext context) =>
        Kind(parseResult, context) switch
        {
            "etcd" => $"etcd {string.Join(',', EtcdOptions(parseResult, context).Endpoints)}",
            "kubernetes" => $"kubernetes namespace {(KubernetesOptions(parseResult, context) is { AllNamespaces: true } ? "(all)" : KubernetesOptions(parseResult, context).Namespace)}",
            _ => ConfigDirOption.Resolve(parseResult, ConfigDir, context),
        };

    /// <param name="endpoints">Endpoints given another way (<c>migrate --to etcd:URL,…</c>), which win over the flag.</param>
    public EtcdOptions EtcdOptions(ParseResult parseResult, CliContext context, TimeSpan? leaseTtl = null, string? endpoints = null)
    {
        string? Get(Option<string?> option) => EnvironmentFallback.Get(parseResult, option, context);
        string Source(Option option) => EnvironmentFallback.SourceOf(parseResult, option, context);

        var list = (endpoints ?? Get(Endpoints) ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (list.Length == 0)
        {
            throw new CliException($"--store etcd needs --etcd-endpoints (or {EnvironmentFallback.VariableFor(Endpoints.Name)}), e.g. http://127.0.0.1:2379");
        }
        foreach (var endpoint in list)
        {
            if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.IsDefaultPort && !endpoint.Contains(':', StringComparison.Ordinal))
            {
                throw new CliException($"{Source(Endpoints)}: '{endpoint}' is not an etcd client URL (http://HOST:PORT or https://HOST:PORT)");
            }
        }
        var prefix = Get(Prefix) ?? Etcd.EtcdOptions.DefaultPrefix;
        if (!prefix.StartsWith('/'))
        {
            throw new CliException($"{Source(Prefix)}: '{prefix}' must start with '/'");
        }
        var options = new EtcdOptions
        {
            Endpoints = list,
            Prefix = prefix,
            CaFile = ExistingFile(Get(CaFile), Source(CaFile)),
            CertFile = ExistingFile(Get(CertFile), Source(CertFile)),
            KeyFile = ExistingFile(Get(KeyFile), Source(KeyFile)),
            Username = Get(Username),
            Password = Get(Password),
        };
        if (options.CertFile is null != (options.KeyFile is null))
        {
            throw new CliException("--etcd-cert-file and --etcd-key-file go together");
        }
        if (options.Username is null != (options.Password is null))
        {
            throw new CliException("--etcd-username and --etcd-password go together");
        }
        return leaseTtl is { } ttl ? options with { LeaseTtl = ttl } : options;
    }

    public KubernetesStoreOptions KubernetesOptions(ParseResult parseResult, CliContext context)
    {
        string? Get(Option<string?> option) => EnvironmentFallback.Get(parseResult, option, context);
        var ns = Get(Namespace) ?? KubernetesStoreOptions.DefaultNamespace;
        // A DNS-1123 label, as the API server requires: catch a typo before any request.
        if (ns.Length is 0 or > 63 || !ns.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-') || ns[0] == '-' || ns[^1] == '-')
        {
            throw new CliException($"{EnvironmentFallback.SourceOf(parseResult, Namespace, context)}: '{ns}' is not a namespace name (lowercase letters, digits and '-')");
        }
        var allNamespaces = parseResult.GetValue(AllNamespaces)
            || context.Environment(EnvironmentFallback.VariableFor(AllNamespaces.Name)) is "1" or "true";
        var kubeconfig = Get(Kubeconfig);
        if (kubeconfig is not null && !File.Exists(kubeconfig))
        {
            throw new CliException($"{EnvironmentFallback.SourceOf(parseResult, Kubeconfig, context)}: '{kubeconfig}' does not exist");
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
        return kind is "file" or "etcd" or "kubernetes"
            ? kind
            : throw new CliException($"{EnvironmentFallback.SourceOf(parseResult, Store, context)}: '{kind}' is not a store (file, etcd or kubernetes)");
    }

    private static string? ExistingFile(string? path, string source) =>
        path is null || File.Exists(path) ? path : throw new CliException($"{source}: '{path}' does not exist");

    internal static TimeSpan ParseSeconds(string text, string source) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds > 0 && seconds <= 3600
            ? TimeSpan.FromSeconds(seconds)
            : throw new CliException($"{source}: '{text}' is not a number of seconds (e.g. 10 or 0.5)");

    private static Option<string?> Create(string name, string helpName, string description, object defaultValue) => new(name)
    {
        Description = $"{description} [env: {EnvironmentFallback.VariableFor(name)}; default: {defaultValue}]",
        HelpName = helpName,
    };
}
