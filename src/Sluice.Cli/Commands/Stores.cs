using Sluice.Storage;

namespace Sluice.Cli.Commands;

/// <summary>Opens the file store for the CLI: for writing, or read-only for commands that only look.</summary>
internal static class Stores
{
    public static IConfigStore OpenFiles(string configDir) => new FileStore(configDir);

    /// <summary>
    /// The folder as a read-only store: no <c>.sluice/</c> is created and no lock is taken
    /// (<see cref="FileStoreOptions.ReadOnly"/>), so <c>validate</c>, <c>get</c> and <c>check</c>
    /// can look at a folder they may not write (a mounted ConfigMap, a colleague's checkout)
    /// without touching it, while a gateway serves it.
    /// </summary>
    public static FileStore OpenFilesReadOnly(string configDir) => new(configDir, new FileStoreOptions { ReadOnly = true });

    /// <summary>Loads a config folder without writing to it: exactly what a gateway's cold start would read.</summary>
    public static Task<ConfigSnapshot> LoadReadOnlyAsync(string configDir, CancellationToken cancellationToken) =>
        OpenFilesReadOnly(configDir).LoadAsync(cancellationToken);
}
