using Sluice.Storage;

namespace Sluice.Cli.Commands;

/// <summary>Opens the store the CLI talks to. Only the file store exists so far.</summary>
internal static class Stores
{
    public static IConfigStore OpenFiles(string configDir) => new FileStore(configDir);

    /// <summary>
    /// Loads a config folder without writing to it. <see cref="FileStore"/> keeps its lock and
    /// object records in <c>.sluice/</c> inside the folder it reads, so the folder's contents
    /// (not that state) are copied to a scratch folder and loaded there; this is also exactly a
    /// gateway's cold start, which is what <c>validate</c> predicts.
    /// </summary>
    public static async Task<ConfigSnapshot> LoadReadOnlyAsync(string configDir, CancellationToken cancellationToken)
    {
        var scratch = Path.Combine(Path.GetTempPath(), "sluice-validate-" + Guid.NewGuid().ToString("N"));
        try
        {
            CopyContents(new DirectoryInfo(configDir), Directory.CreateDirectory(scratch));
            return await new FileStore(scratch).LoadAsync(cancellationToken);
        }
        finally
        {
            try
            {
                Directory.Delete(scratch, recursive: true);
            }
            catch (IOException)
            {
                // A leftover scratch folder in the temp directory is harmless.
            }
        }
    }

    private static void CopyContents(DirectoryInfo source, DirectoryInfo target, bool top = true)
    {
        foreach (var file in source.EnumerateFiles())
        {
            file.CopyTo(Path.Combine(target.FullName, file.Name));
        }
        foreach (var directory in source.EnumerateDirectories())
        {
            // The store's own state (lock, versions, statuses of a running gateway) is not config.
            if (top && directory.Name == ".sluice")
            {
                continue;
            }
            CopyContents(directory, target.CreateSubdirectory(directory.Name), top: false);
        }
    }
}
