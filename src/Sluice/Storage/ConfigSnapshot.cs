using Sluice.Api;

namespace Sluice.Storage;

/// <summary>
/// Everything the translator sees at one moment: objects, the errors met while loading them,
/// secrets and files. Immutable; a new one is built for every change.
/// </summary>
public sealed record ConfigSnapshot
{
    public static readonly ConfigSnapshot Empty = new();

    public ValueList<Upstream> Upstreams { get; init; } = ValueList<Upstream>.Empty;

    public ValueList<VirtualService> VirtualServices { get; init; } = ValueList<VirtualService>.Empty;

    /// <summary>
    /// Objects or files that could not be loaded. An error with an object name rejects that
    /// object (its last accepted version keeps serving); one without is reported on its file.
    /// </summary>
    public ValueList<ConfigError> LoadErrors { get; init; } = ValueList<ConfigError>.Empty;

    /// <summary>Secrets by ref: flat string maps (<c>tls.crt</c>, <c>access_key</c>, …).</summary>
    public IReadOnlyDictionary<string, ValueMap> Secrets { get; init; } = new Dictionary<string, ValueMap>();

    /// <summary>
    /// The folder that relative paths in the config (<c>ssl_files</c>) resolve against: the config
    /// folder of a file store. Null for stores without one (etcd, Kubernetes): the working directory.
    /// </summary>
    public string? BaseDirectory { get; init; }

    /// <summary>Files (artifacts) by ref: raw bytes such as descriptor sets.</summary>
    public IReadOnlyDictionary<string, ReadOnlyMemory<byte>> Files { get; init; } = new Dictionary<string, ReadOnlyMemory<byte>>();
}
