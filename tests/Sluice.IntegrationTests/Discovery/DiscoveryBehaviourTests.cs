using Sluice.Hosting;
using Sluice.Api;
using Sluice.Discovery;
using Sluice.Storage;
using Sluice.Translation;

namespace Sluice.IntegrationTests.Discovery;

/// <summary>
/// What users asked of discovery (reference §11.4), on the file store: opt-in and opt-out, the
/// user's own functions winning and never rewritten, removed functions disappearing, and an
/// unchanged source writing nothing.
/// </summary>
public sealed class DiscoveryBehaviourTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sluice-discovery").FullName;
    private DocumentBackend _backend = null!;
    private byte[] _petstore = [];

    public async Task InitializeAsync()
    {
        _backend = await DocumentBackend.StartAsync();
        _petstore = await File.ReadAllBytesAsync(Path.Combine(Discover.TestData("openapi"), "v3.0-petstore.yaml"));
        _backend.Serve("/openapi.json", _petstore, "application/yaml");
        Directory.CreateDirectory(Path.Combine(_dir, "upstreams"));
    }

    public async Task DisposeAsync()
    {
        await _backend.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private async Task<FileStore> WriteAsync(string yaml)
    {
        await File.WriteAllTextAsync(Path.Combine(_dir, "upstreams", "all.yaml"), yaml);
        return new FileStore(_dir);
    }

    private string Upstream(string name, string annotations) => Discover.Upstream(name, _backend.Port, annotations);

    [Fact]
    public async Task Opt_in_mode_examines_only_upstreams_that_ask()
    {
        var store = await WriteAsync($"""
            {Upstream("plain", "team: pets")}
            ---
            {Upstream("enabled", "discovery.sluice.io/function_discovery: enabled")}
            ---
            {Upstream("named", "gloo.solo.io/swagger_url: /openapi.json")}
            ---
            {Upstream("named-but-disabled", "gloo.solo.io/swagger_url: /openapi.json, discovery.sluice.io/function_discovery: disabled")}
            """);

        var states = await Discover.OnceAsync(store);

        Assert.Equal(["enabled", "named"], states.Select(s => s.Upstream));
        Assert.All(states, s => Assert.Equal("found", s.State));
        var snapshot = await store.LoadAsync(CancellationToken.None);
        Assert.Equal(["enabled", "named"], snapshot.Discovered.Keys.Order(StringComparer.Ordinal));
        // "enabled" probed until the document (the 7th path), "named" fetched it once: no other requests.
        Assert.Equal(DiscoveryOptions.DefaultProbePaths.ToList().IndexOf("/openapi.json") + 2, _backend.Requests);
    }

    [Fact]
    public async Task Mode_all_examines_every_upstream_but_the_opted_out_and_disabled_mode_none()
    {
        var store = await WriteAsync($"""
            {Upstream("plain", "team: pets")}
            ---
            {Upstream("opted-out", "discovery.sluice.io/function_discovery: disabled")}
            """);

        Assert.Empty(await Discover.OnceAsync(store, Discover.Fast with { Mode = DiscoveryMode.Disabled }));
        Assert.Equal(0, _backend.Requests);

        var states = await Discover.OnceAsync(store, Discover.Fast with { Mode = DiscoveryMode.All });
        Assert.Equal("plain", Assert.Single(states).Upstream);

        // Opting out later removes what was found.
        await File.WriteAllTextAsync(Path.Combine(_dir, "upstreams", "all.yaml"), Upstream("plain", "discovery.sluice.io/function_discovery: disabled"));
        Assert.Empty(await Discover.OnceAsync(store, Discover.Fast with { Mode = DiscoveryMode.All }));
        Assert.Empty((await store.LoadAsync(CancellationToken.None)).Discovered);
    }

    [Fact]
    public async Task User_functions_win_with_a_warning_and_the_users_file_is_never_rewritten()
    {
        var yaml = $$$"""
            # the user's comment stays
            {{{Upstream("petstore", "discovery.sluice.io/function_discovery: enabled")}}}
            service_info: { type: REST }
            functions:
            - name: showPetById
              spec: { path: "/mine/{{ petId }}", headers: { ":method": GET } }
            """;
        var store = await WriteAsync(yaml);

        await Discover.OnceAsync(store);

        Assert.Equal(yaml, await File.ReadAllTextAsync(Path.Combine(_dir, "upstreams", "all.yaml")));
        var snapshot = await store.LoadAsync(CancellationToken.None);
        var upstream = Assert.Single(snapshot.Upstreams);
        Assert.Equal(["showPetById"], upstream.Functions.Select(f => f.Name));
        var merged = DiscoveredFunctions.Merge(upstream, snapshot.Discovered["petstore"], null);
        Assert.Equal(["showPetById", "createPets", "listPets"], merged.Functions.Select(f => f.Name));
        Assert.Null(merged.Functions[0].Discovered);
        Assert.Equal("/mine/{{ petId }}", Discover.Get(merged.Functions[0], "path"));

        var report = new Translator(SluicePlugins.Default).Translate(snapshot, TranslationState.Empty).Reports.Single(r => r.Name == "petstore");
        Assert.Equal(StatusState.Warning, report.Status.State);
        Assert.Contains("discovered function 'showPetById'", report.Status.Reason);
        Assert.Contains("shadowed by the user-written function", report.Status.Reason);

        // The CLI's get shows the merged upstream, discovered functions marked; applying that YAML
        // back keeps only what the user wrote.
        var shown = ConfigCodec.ToYaml(merged);
        Assert.Contains("discovered:", shown);
        var reread = (Upstream)ConfigCodec.ReadDocuments(shown, ConfigKind.Upstream, "get.yaml")[0].Object!;
        Assert.Equal(merged.Functions, reread.Functions);
        await store.UpdateAsync(reread with { Metadata = reread.Metadata with { ResourceVersion = null } }, CancellationToken.None);
        var rewritten = await File.ReadAllTextAsync(Path.Combine(_dir, "upstreams", "all.yaml"));
        Assert.DoesNotContain("createPets", rewritten);
        Assert.Contains("showPetById", rewritten);
    }

    [Fact]
    public async Task A_function_removed_from_the_document_disappears_and_an_unchanged_pass_writes_nothing()
    {
        var store = await WriteAsync(Upstream("petstore", "discovery.sluice.io/function_discovery: enabled"));
        await Discover.OnceAsync(store);
        var first = await Discover.RecordAsync(store, "petstore");
        Assert.Contains("createPets", first.Functions.Select(f => f.Name));

        await Discover.OnceAsync(store);
        Assert.Equal(first.Version, (await Discover.RecordAsync(store, "petstore")).Version);

        var withoutCreate = System.Text.Encoding.UTF8.GetString(_petstore).Replace("operationId: createPets", "operationId: addPet");
        _backend.Serve("/openapi.json", withoutCreate, "application/yaml");
        await Discover.OnceAsync(store);

        var second = await Discover.RecordAsync(store, "petstore");
        Assert.Equal(["addPet", "listPets", "showPetById"], second.Functions.Select(f => f.Name));
        // Unchanged functions keep the time they were first seen.
        Assert.Equal(first.Functions.Single(f => f.Name == "listPets").Discovered, second.Functions.Single(f => f.Name == "listPets").Discovered);
    }

    [Fact]
    public async Task An_inline_document_annotation_opts_in_and_is_read()
    {
        var inline = """{"swagger": "2.0", "info": {"title": "t", "version": "1"}, "basePath": "/api", "paths": {"/hello/{who}": {"get": {"parameters": [{"name": "who", "in": "path", "required": true, "type": "string"}], "responses": {"200": {"description": "hi"}}}}}}""";
        var store = await WriteAsync(Upstream("inline", $"gloo.solo.io/swagger_doc: '{inline}'"));

        var state = Assert.Single(await Discover.OnceAsync(store));

        Assert.True(state.State == "found", state.Message);
        var function = Assert.Single((await Discover.RecordAsync(store, "inline")).Functions);
        Assert.Equal("get.hello.who", function.Name);
        Assert.Equal("/api/hello/{{ who }}", Discover.Get(function, "path"));
        Assert.Equal(0, _backend.Requests);
    }
}
