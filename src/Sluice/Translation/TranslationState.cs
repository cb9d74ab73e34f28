using Sluice.Api;

namespace Sluice.Translation;

/// <summary>
/// What one translation remembers for the next: the last accepted version of every object (a
/// rejected update leaves it serving) and which virtual service holds each domain (the holder
/// keeps it when another claims it later). Immutable; the translator stays a pure function of
/// (snapshot, previous state).
/// </summary>
public sealed record TranslationState
{
    public static readonly TranslationState Empty = new();

    public IReadOnlyDictionary<string, Upstream> AcceptedUpstreams { get; init; } = new Dictionary<string, Upstream>();

    public IReadOnlyDictionary<string, VirtualService> AcceptedVirtualServices { get; init; } = new Dictionary<string, VirtualService>();

    /// <summary>
    /// The secrets and files each accepted object was translated with, by (kind, name): a refused
    /// update of one of them leaves the object serving with these.
    /// </summary>
    public IReadOnlyDictionary<(ConfigKind Kind, string Name), ObjectInputs> AcceptedInputs { get; init; } = new Dictionary<(ConfigKind, string), ObjectInputs>();

    /// <summary>Lower-case domain to the name of the virtual service holding it.</summary>
    public IReadOnlyDictionary<string, string> DomainHolders { get; init; } = new Dictionary<string, string>();
}
