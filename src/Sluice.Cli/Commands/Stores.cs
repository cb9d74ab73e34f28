using Sluice.Storage;

namespace Sluice.Cli.Commands;

/// <summary>Opens the store the CLI talks to. Only the file store exists so far.</summary>
internal static class Stores
{
    public static IConfigStore OpenFiles(string configDir) =>
        throw new NotImplementedException("FileStore has not landed yet");
}
