using Sluice.Api;

namespace Sluice.Translation;

/// <summary>
/// The secrets and files one object version was accepted with, by ref: what its last accepted
/// version is served with when a later update of a secret or file is refused.
/// </summary>
public sealed record ObjectInputs(IReadOnlyDictionary<string, ValueMap> Secrets, IReadOnlyDictionary<string, ReadOnlyMemory<byte>> Files)
{
    public static readonly ObjectInputs None = new(new Dictionary<string, ValueMap>(), new Dictionary<string, ReadOnlyMemory<byte>>());
}
