namespace Sluice.IntegrationTests.Cli;

/// <summary>A real, empty config folder in the API.md layout, deleted afterwards.</summary>
internal sealed class ConfigFolder : IDisposable
{
    public ConfigFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "sluice-cli-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(System.IO.Path.Combine(Path, "upstreams"));
        Directory.CreateDirectory(System.IO.Path.Combine(Path, "virtualservices"));
    }

    public string Path { get; }

    /// <summary>Writes a file relative to the folder and returns its full path.</summary>
    public string Write(string relativePath, string text)
    {
        var full = System.IO.Path.Combine(Path, relativePath);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllText(full, text);
        return full;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
