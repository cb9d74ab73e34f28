using Sluice.Storage;
using Sluice.Translation;

namespace Sluice.Gateway;

/// <summary>
/// Reads the certificate files <c>ssl_files</c> name into a snapshot before translation (the
/// translator does no I/O), and tells when they changed on disk, so a rotated certificate file is
/// picked up although the config folder itself did not change.
/// </summary>
internal static class TlsFileLoader
{
    public static ConfigSnapshot Load(ConfigSnapshot snapshot)
    {
        var files = new Dictionary<string, ReadOnlyMemory<byte>>(snapshot.Files);
        var any = false;
        foreach (var path in TlsFileRefs.ReferencedPaths(snapshot))
        {
            any = true;
            try
            {
                files[TlsFileRefs.ForPath(path)] = File.ReadAllBytes(TlsFileRefs.Resolve(snapshot, path));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Left out: the translator rejects the virtual service, naming the file.
            }
        }
        return any ? snapshot with { Files = files } : snapshot;
    }

    /// <summary>Size and modification time of every referenced file: a cheap change detector.</summary>
    public static string Stamp(ConfigSnapshot snapshot) => string.Join('|', TlsFileRefs.ReferencedPaths(snapshot).Select(path =>
    {
        var info = new FileInfo(TlsFileRefs.Resolve(snapshot, path));
        return info.Exists ? $"{path}:{info.Length}:{info.LastWriteTimeUtc.Ticks}" : $"{path}:missing";
    }));
}
