namespace Sluice.Api;

/// <summary>The names each kind goes by: in folders, in the CLI, in messages.</summary>
public static class ConfigKinds
{
    /// <summary>Folder under the config directory, and the admin API's collection name.</summary>
    public static string Plural(this ConfigKind kind) => kind switch
    {
        ConfigKind.Upstream => "upstreams",
        ConfigKind.VirtualService => "virtualservices",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>How messages name one object of the kind: "upstream", "virtual service".</summary>
    public static string DisplayName(this ConfigKind kind) => kind switch
    {
        ConfigKind.Upstream => "upstream",
        ConfigKind.VirtualService => "virtual service",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static IReadOnlyList<ConfigKind> All { get; } = [ConfigKind.Upstream, ConfigKind.VirtualService];
}
