namespace Sluice.IntegrationTests.Cli;

/// <summary>
/// <c>sluice upstream edit</c> with a scripted <c>$EDITOR</c> (a shell script standing in for a
/// person): a valid edit is saved; an invalid one reopens with the error on top and, saved again
/// unchanged, is not saved and the error is shown.
/// </summary>
public sealed class EditCommandTests : IDisposable
{
    private readonly ConfigFolder _config = new();

    private string[] Dir => ["--config-dir", _config.Path];

    public EditCommandTests() =>
        _config.Write("upstreams/petstore.yaml", "# the pet store\nname: petstore\ntype: static\nspec:\n  hosts:\n  - addr: 127.0.0.1\n    port: 9191\n");

    [Fact]
    public async Task A_valid_edit_is_saved()
    {
        var editor = Editor("sed -i 's/port: 9191/port: 9292/' \"$1\"");
        var run = (await CliProcess.RunAsync(["upstream", "edit", "petstore", .. Dir], environment: new Dictionary<string, string> { ["EDITOR"] = editor })).AssertExit(0);
        Assert.Equal("upstream/petstore edited", run.Out.Trim());
        var saved = File.ReadAllText(Path.Combine(_config.Path, "upstreams", "petstore.yaml"));
        Assert.Contains("port: 9292", saved, StringComparison.Ordinal);
        Assert.StartsWith("# the pet store", saved, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_invalid_edit_reopens_with_the_error_on_top_and_is_not_saved()
    {
        var log = Path.Combine(_config.Path, "opened.log");
        // Each time it opens: record what it was shown, then make the same mistake.
        var editor = Editor($"cat \"$1\" >> '{log}'; echo '=====' >> '{log}'; sed -i 's/^spec:/sepc:/' \"$1\"");
        var before = File.ReadAllText(Path.Combine(_config.Path, "upstreams", "petstore.yaml"));

        var run = (await CliProcess.RunAsync(["upstream", "edit", "petstore", .. Dir], environment: new Dictionary<string, string> { ["EDITOR"] = editor })).AssertExit(1).AssertNoStackTrace();

        Assert.Equal(before, File.ReadAllText(Path.Combine(_config.Path, "upstreams", "petstore.yaml")));
        Assert.Contains("field 'sepc': unknown field", run.Err, StringComparison.Ordinal);
        Assert.Contains("did you mean 'spec'?", run.Err, StringComparison.Ordinal);
        Assert.Contains("nothing saved", run.Err, StringComparison.Ordinal);
        var openings = File.ReadAllText(log).Split("=====\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, openings.Length);
        Assert.DoesNotContain("# error:", openings[0], StringComparison.Ordinal);
        Assert.StartsWith("# error: ", openings[1], StringComparison.Ordinal);
        Assert.Contains("unknown field", openings[1].Split('\n')[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_edit_the_gateway_would_reject_is_refused_too()
    {
        var editor = Editor("sed -i 's/type: static/type: statik/' \"$1\"; sed -i 's/type: statik/type: statik/' \"$1\"");
        var run = (await CliProcess.RunAsync(["upstream", "edit", "petstore", .. Dir], environment: new Dictionary<string, string> { ["EDITOR"] = editor })).AssertExit(1);
        Assert.Contains("would be Rejected", run.Err, StringComparison.Ordinal);
        Assert.Contains("type: static", File.ReadAllText(Path.Combine(_config.Path, "upstreams", "petstore.yaml")), StringComparison.Ordinal);
    }

    private string Editor(string script)
    {
        var path = Path.Combine(_config.Path, $"editor-{Guid.NewGuid():N}.sh");
        File.WriteAllText(path, script + "\n");
        // EDITOR may carry arguments, as with "code --wait": run through sh.
        return $"sh '{path}'";
    }

    public void Dispose() => _config.Dispose();
}
