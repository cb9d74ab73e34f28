namespace Sluice.Etcd;

/// <summary>How to reach etcd and where Sluice's keys live in it.</summary>
public sealed record EtcdOptions
{
    public const string DefaultPrefix = "/sluice/";

    /// <summary>Client URLs of the members, e.g. <c>http://10.0.0.1:2379</c>; calls are spread over all of them.</summary>
    public required IReadOnlyList<string> Endpoints { get; init; }

    /// <summary>Every key Sluice reads or writes starts with this (it always ends with '/').</summary>
    public string Prefix { get; init; } = DefaultPrefix;

    /// <summary>PEM CA certificate(s) that the members' certificates must chain to (https endpoints).</summary>
    public string? CaFile { get; init; }

    /// <summary>PEM client certificate and its key, when etcd requires client certificates.</summary>
    public string? CertFile { get; init; }

    public string? KeyFile { get; init; }

    /// <summary>etcd user (with <see cref="Password"/>), when etcd has authentication on.</summary>
    public string? Username { get; init; }

    public string? Password { get; init; }

    /// <summary>Deadline of one call; a member that does not answer within it counts as unreachable.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a watch waits after a change for more before it yields a snapshot.</summary>
    public TimeSpan Debounce { get; init; } = TimeSpan.FromMilliseconds(30);

    /// <summary>Time to live of a controller's leader lease: a dead leader is replaced after at most this.</summary>
    public TimeSpan LeaseTtl { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The prefix with exactly one trailing '/'.</summary>
    internal string NormalizedPrefix => Prefix.TrimEnd('/') + "/";

    /// <summary>What <c>/readyz</c> names as the store.</summary>
    internal string Describe() => $"etcd {string.Join(',', Endpoints)} {NormalizedPrefix}";
}
