using Sluice.Hosting;
using Sluice.Api;
using Sluice.Storage;
using Sluice.Translation;

namespace Sluice.Tests.Storage;

/// <summary>
/// Errors a newcomer meets in a config folder, asserted word for word: each says where (file,
/// line, column) and what to do.
/// </summary>
public sealed class LoadErrorMessageTests : IDisposable
{
    private readonly TempConfigDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private async Task<string> ReasonAsync(ConfigKind kind, string name)
    {
        var snapshot = await new FileStore(_dir.Path).LoadAsync(CancellationToken.None);
        var result = new Translator(SluicePlugins.Default).Translate(snapshot, TranslationState.Empty);
        return result.Reports.Single(r => r.Kind == kind && r.Name == name).Status.Reason!;
    }

    [Fact]
    public async Task Tab_indentation_points_at_the_tabs_line()
    {
        _dir.Write("upstreams/tab.yaml", "name: a\ntype: static\nspec:\n\thosts: []\n");

        var snapshot = await new FileStore(_dir.Path).LoadAsync(CancellationToken.None);

        Assert.Equal("upstreams/tab.yaml:4:1: invalid YAML: while scanning a mapping, found invalid tab as indentation", Assert.Single(snapshot.LoadErrors).ToString());
    }

    [Theory]
    [InlineData("name: u\ntype: static\nspec: { hosts: [{ addr: 127.0.0.1, port: 1 }] }\n", "virtualservices/wrong.yaml:2:1: this is an upstream, in virtualservices/: upstreams go in upstreams/; nothing is served for it")]
    [InlineData("kind: Upstream\nname: u\nroutes: []\n", "virtualservices/wrong.yaml:1:1: this is an upstream, in virtualservices/: upstreams go in upstreams/; nothing is served for it")]
    public async Task Object_in_the_wrong_folder_says_so(string yaml, string expected)
    {
        _dir.Write("virtualservices/wrong.yaml", yaml);

        Assert.Equal(expected, await ReasonAsync(ConfigKind.VirtualService, "u"));
    }

    [Fact]
    public async Task Virtual_service_in_upstreams_says_so()
    {
        _dir.Write("upstreams/wrong.yaml", "name: v\ndomains: [a.example.com]\nroutes: []\n");

        Assert.Equal("upstreams/wrong.yaml:2:1: this is a virtual service, in upstreams/: virtual services go in virtualservices/; nothing is served for it", await ReasonAsync(ConfigKind.Upstream, "v"));
    }

    [Fact]
    public async Task Semantic_errors_carry_file_line_and_column_and_the_users_regex()
    {
        _dir.Write("upstreams/sem.yaml", "name: p\ntype: static\nspec:\n  hosts:\n  - addr: 127.0.0.1\n    port: 99999\n---\nname: t\ntype: nope\n");
        _dir.Write("virtualservices/re.yaml", "name: v\nroutes:\n- request_matcher:\n    path_regex: '('\n  direct_response: { status: 200 }\n");

        Assert.Equal(
            "upstreams/sem.yaml:6:5: spec.hosts[0].port: must be between 1 and 65535, got 99999; nothing is served for it",
            await ReasonAsync(ConfigKind.Upstream, "p"));
        Assert.Equal(
            "upstreams/sem.yaml:9:1: type: unknown upstream type 'nope' (known: aws, azure, consul, google, kubernetes, service, static); nothing is served for it",
            await ReasonAsync(ConfigKind.Upstream, "t"));
        Assert.Equal(
            "virtualservices/re.yaml:4:5: routes[0].request_matcher.path_regex: invalid regex '(': Not enough )'s (at offset 1); nothing is served for it",
            await ReasonAsync(ConfigKind.VirtualService, "v"));
    }
}
