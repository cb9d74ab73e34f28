using Sluice.Api;
using Sluice.Storage;

namespace Sluice.Translation;

/// <summary>
/// <c>ssl_files</c> name files on the gateway's own disk. The translator does no I/O, so the
/// control loop reads them into the snapshot's files first, under these refs, and the translator
/// finds them there (Gloo's plugins declared such dependencies the same way).
/// </summary>
public static class TlsFileRefs
{
    private const string Prefix = "ssl-file:";

    /// <summary>The ref of a path as the config writes it (the loader resolves it).</summary>
    public static string ForPath(string path) => Prefix + path;

    /// <summary>Where <paramref name="path"/> is on disk: relative paths are relative to the config folder.</summary>
    public static string Resolve(ConfigSnapshot snapshot, string path) =>
        Path.GetFullPath(path, snapshot.BaseDirectory ?? Directory.GetCurrentDirectory());

    /// <summary>Every file the snapshot's virtual services name in <c>ssl_files</c>, as written.</summary>
    public static IEnumerable<string> ReferencedPaths(ConfigSnapshot snapshot) =>
        snapshot.VirtualServices
            .Select(v => v.SslConfig?.SslFiles)
            .OfType<SslFiles>()
            .SelectMany(f => new[] { f.TlsCert, f.TlsKey, f.RootCa })
            .OfType<string>()
            .Where(p => p.Length > 0)
            .Distinct(StringComparer.Ordinal);
}
