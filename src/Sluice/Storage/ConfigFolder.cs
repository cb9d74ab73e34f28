using System.IO.Hashing;
using System.Text;

namespace Sluice.Storage;

/// <summary>
/// Reads the files that make up a config folder (never anything under <c>.sluice/</c>) and
/// fingerprints them, so the watcher can tell a real change from noise such as status writes,
/// editor swap files or a save that rewrote identical bytes.
/// </summary>
internal sealed class ConfigFolder(string root)
{
    public const string Upstreams = "upstreams";
    public const string VirtualServices = "virtualservices";
    public const string Secrets = "secrets";
    public const string Files = "files";

    public static readonly IReadOnlyList<string> Sections = [Upstreams, VirtualServices, Secrets, Files];

    public string Root { get; } = root;

    /// <summary>Every relevant file, sorted by relative path (the order that decides duplicates).</summary>
    public IReadOnlyList<SourceFile> ReadAll()
    {
        var files = new List<SourceFile>();
        foreach (var section in Sections)
        {
            var folder = Path.Combine(Root, section);
            var holdsSecrets = section is Secrets or Files;
            if (holdsSecrets && IsLink(new DirectoryInfo(folder)))
            {
                files.Add(new SourceFile(section, "", section, [], LinkRefused));
                continue;
            }
            string[] paths;
            try
            {
                paths = Directory.GetFiles(folder);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // Missing (fine: an empty section) or not a readable folder: nothing to load from it.
                continue;
            }
            Array.Sort(paths, StringComparer.Ordinal);
            foreach (var path in paths)
            {
                var name = Path.GetFileName(path);
                if (FileNames.IsIgnored(name) || (section is Upstreams or VirtualServices && !FileNames.IsYaml(name)))
                {
                    continue;
                }
                var relative = section + "/" + name;
                if (holdsSecrets && IsLink(new FileInfo(path)))
                {
                    files.Add(new SourceFile(section, name, relative, [], LinkRefused));
                    continue;
                }
                try
                {
                    files.Add(new SourceFile(section, name, relative, File.ReadAllBytes(path)));
                }
                catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException)
                {
                    // Deleted between listing and reading: it is simply gone.
                }
                catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
                {
                    files.Add(new SourceFile(section, name, relative, [], $"could not be read: {exception.Message}"));
                }
            }
        }
        return files;
    }

    /// <summary>
    /// Secrets and files are read only from regular files inside the folder: a link could point
    /// anywhere (another user's key, /proc), and its target's contents would then be loaded.
    /// </summary>
    private const string LinkRefused = "is a symbolic link, which is not followed: secrets and files must be regular files inside the config folder";

    private static bool IsLink(FileSystemInfo info) => info.Exists && info.LinkTarget is not null;

    public static UInt128 Fingerprint(IReadOnlyList<SourceFile> files)
    {
        var hash = new XxHash128();
        Span<byte> length = stackalloc byte[8];
        foreach (var file in files)
        {
            hash.Append(Encoding.UTF8.GetBytes(file.RelativePath));
            BitConverter.TryWriteBytes(length, (long)file.Bytes.Length);
            hash.Append(length);
            hash.Append(file.Bytes);
            hash.Append(Encoding.UTF8.GetBytes(file.Error ?? string.Empty));
        }
        return hash.GetCurrentHashAsUInt128();
    }
}
