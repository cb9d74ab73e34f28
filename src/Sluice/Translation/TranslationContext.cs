using Sluice.Api;
using Sluice.Storage;

namespace Sluice.Translation;

/// <summary>What a plugin may read while translating: the snapshot's secrets and files.</summary>
public sealed class TranslationContext(ConfigSnapshot snapshot)
{
    public bool TryGetSecret(string reference, out ValueMap secret) =>
        snapshot.Secrets.TryGetValue(reference, out secret!);

    public bool TryGetFile(string reference, out ReadOnlyMemory<byte> file) =>
        snapshot.Files.TryGetValue(reference, out file);
}
