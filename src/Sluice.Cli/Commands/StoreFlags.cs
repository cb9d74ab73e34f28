using System.CommandLine;
using System.Globalization;
using Sluice.Etcd;
using Sluice.Storage;

namespace Sluice.Cli.Commands;

/// <summary>
/// Which store a command talks to: <c>--store file</c> (the config folder, default) or
/// <c>--store etcd</c> with its endpoints, prefix, TLS and credentials. Shared by <c>run</c> and
/// every config verb, so the CLI works against etcd exactly as against a folder. Each flag falls
/// back to <c>SLUICE_&lt;FLAG&gt;</c>.
/// </summary>
internal sealed class StoreFlags
{
    public Option<string?> ConfigDir { get; } = ConfigDirOption.Create();

    public Option<string?> Store { get; } = Create("--store", "file|etcd", "Where configuration lives", "file");

    public Option<string?> Endpoints { get; } = Create("--etcd-endpoints", "URL,…", "etcd client URLs (http:// or https://), comma-separated", "none");

    public Option<string?> Prefix { get; } = Create("--etcd-prefix", "PREFIX", "Key prefix everything lives under", Etcd.EtcdOptions.DefaultPrefix);

    public Option<string?> CaFile { get; } = Create("--etcd-ca-file", "PEM", "CA that etcd's certificates chain to (https endpoints)", "none");

    public Option<string?> CertFile { get; } = Create("--etcd-cert-file", "PEM", "Client certificate for etcd", "none");

    public Option<string?> KeyFile { get; } = Create("--etcd-key-file", "PEM", "Key of the client certificate", "none");

    public Option<string?> Username { get; } = Create("--etcd-username", "USER", "etcd user (authentication on)", "none");

    public Option<string?> Password { get; } = Create("--etcd-password", "PASSWORD", "Password of the etcd user (prefer SLUICE_ETCD_PASSWORD)", "none");

    public IEnumerable<Option> All => [ConfigDir, Store, Endpoints, Prefix, CaFile, CertFile, KeyFile, Username, Password];

    /// <summary>True when the command talks to etcd.</summary>
    public bool IsEtcd(ParseResult parseResult, CliContext context) => Kind(parseResult, context) == "etcd";

    /// <summary>The config folder (file store), which must exist: a typo must not look like an empty config.</summary>
    public string ConfigDirectory(ParseResult parseResult, CliContext context) =>
        ConfigDirOption.ResolveExisting(parseResult, ConfigDir, context);

    /// <summary>Opens the store the flags name; the caller disposes it when it is disposable.</summary>
    public IConfigStore Open(ParseResult parseResult, CliContext context, Microsoft.Extensions.Logging.ILogger? logger = null) =>
        IsEtcd(parseResult, context)
            ? new EtcdStore(EtcdOptions(parseResult, context), logger)
            : Stores.OpenFiles(ConfigDirectory(parseResult, context));

    /// <summary>Where the store is, for messages: the folder or the etcd endpoints and prefix.</summary>
    public string Describe(ParseResult parseResult, CliContext context) =>
        IsEtcd(parseResult, context)
            ? $"etcd {string.Join(',', EtcdOptions(parseResult, context).Endpoints)}"
            : ConfigDirOption.Resolve(parseResult, ConfigDir, context);

    /// <param name="endpoints">Endpoints given another way (<c>migrate --to etcd:URL,…</c>), which win over the flag.</param>
    public EtcdOptions EtcdOptions(ParseResult parseResult, CliContext context, TimeSpan? leaseTtl = null, string? endpoints = null)
    {
        string? Get(Option<string?> option) => EnvironmentFallback.Get(parseResult, option, context);
        string Source(Option option) => EnvironmentFallback.SourceOf(parseResult, option);

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

    private string Kind(ParseResult parseResult, CliContext context)
    {
        var kind = EnvironmentFallback.Get(parseResult, Store, context)?.Trim().ToLowerInvariant() ?? "file";
        return kind is "file" or "etcd"
            ? kind
            : throw new CliException($"{EnvironmentFallback.SourceOf(parseResult, Store)}: '{kind}' is not a store (file or etcd)");
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
