using System.Text.RegularExpressions;

namespace Sluice.IntegrationTests.Kubernetes;

/// <summary>
/// The Dockerfile's build recipe, run for real without Docker (no daemon here): its
/// <c>dotnet publish</c> line is read from the Dockerfile and run on a copy of the build context
/// (the repository minus .dockerignore's bin/, obj/ and .git/), so a recipe that stops building
/// fails this test.
/// </summary>
public sealed partial class DockerfileTests : IDisposable
{
    private readonly string _context = Path.Combine(Path.GetTempPath(), "sluice-docker-context-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task PublishStep_ProducesTheSluiceEntryPoint()
    {
        var dockerfile = await File.ReadAllTextAsync(Path.Combine(RepositoryFiles.Root, "Dockerfile"));
        var publish = PublishLine().Match(dockerfile);
        Assert.True(publish.Success, "the Dockerfile has no RUN dotnet publish line");
        var arguments = publish.Groups["args"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
        var output = arguments.IndexOf("-o");
        Assert.True(output >= 0, "the publish step names its output with -o");
        Assert.Equal("/app", arguments[output + 1]);
        Assert.Matches(@"ENTRYPOINT \[""/app/sluice""\]", dockerfile);
        Assert.Matches(@"(?m)^FROM mcr\.microsoft\.com/dotnet/aspnet:\S+ AS final\s*$", dockerfile);
        Assert.Equal(2, Regex.Count(dockerfile, "(?m)^FROM "));

        CopyContext(new DirectoryInfo(RepositoryFiles.Root), Directory.CreateDirectory(_context));
        var app = Path.Combine(_context, "app");
        arguments[output + 1] = app;
        await RepositoryFiles.RunAsync(_context, "dotnet", arguments, TimeSpan.FromMinutes(8));

        Assert.True(File.Exists(Path.Combine(app, "sluice")), "the published app has no sluice entry point");
        Assert.True(File.Exists(Path.Combine(app, "Sluice.Kubernetes.dll")));
        var version = await RepositoryFiles.RunAsync(app, Path.Combine(app, "sluice"), ["version"], TimeSpan.FromMinutes(1));
        Assert.Contains("0.1.0", version, StringComparison.Ordinal);
    }

    /// <summary>COPY . . with .dockerignore: everything but build outputs and git.</summary>
    private static void CopyContext(DirectoryInfo source, DirectoryInfo target)
    {
        foreach (var file in source.EnumerateFiles())
        {
            file.CopyTo(Path.Combine(target.FullName, file.Name));
        }
        foreach (var directory in source.EnumerateDirectories().Where(d => d.Name is not ("bin" or "obj" or ".git")))
        {
            CopyContext(directory, target.CreateSubdirectory(directory.Name));
        }
    }

    [GeneratedRegex(@"(?m)^RUN dotnet (?<args>publish [^\r\n]+)$")]
    private static partial Regex PublishLine();

    public void Dispose()
    {
        if (Directory.Exists(_context))
        {
            Directory.Delete(_context, recursive: true);
        }
    }
}
