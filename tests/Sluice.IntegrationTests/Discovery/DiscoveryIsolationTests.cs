using Sluice.Hosting;
using Sluice.Api;
using Sluice.Discovery;
using Sluice.IntegrationTests.Infrastructure;
using Sluice.Storage;
using Sluice.Translation;

namespace Sluice.IntegrationTests.Discovery;

/// <summary>
/// Bad input costs only its own upstream, with a status saying what is wrong: a document that
/// is not JSON, one with an unresolvable <c>$ref</c>, a 50 MB one, a gRPC server that accepts the
/// reflection call and never answers, a listing that returns garbage. A good upstream examined in
/// the same pass is discovered and translated as if they were not there.
/// </summary>
public sealed class DiscoveryIsolationTests : IAsyncLifetime
{
    private readonly List<DocumentBackend> _backends = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var backend in _backends)
        {
            await backend.DisposeAsync();
        }
    }

    private async Task<DocumentBackend> BackendAsync(bool http2 = false)
    {
        var backend = await DocumentBackend.StartAsync(http2);
        _backends.Add(backend);
        return backend;
    }

    [Fact]
    public async Task Each_bad_source_fails_alone_with_a_precise_status()
    {
        var good = await BackendAsync();
        good.Serve("/swagger.json", await File.ReadAllBytesAsync(Path.Combine(Discover.TestData("openapi"), "v2.0-petstore.json")));
        var invalidJson = await BackendAsync();
        invalidJson.Serve("/swagger.json", """{"swagger": "2.0", "info": {"title": "x", "version": "1"}, "paths": {"/a": {"get": """);
        var badRef = await BackendAsync();
        badRef.Serve("/openapi.json", """
            {"openapi": "3.0.0", "info": {"title": "x", "version": "1"}, "paths": {"/a": {"post": {"operationId": "a",
             "requestBody": {"content": {"application/json": {"schema": {"$ref": "schemas/missing.json"}}}}, "responses": {"200": {"description": "ok"}}}}}}
            """);
        var huge = await BackendAsync();
        var big = new byte[50 * 1024 * 1024];
        "{\"openapi\": \"3.0.0\", \"x\": \""u8.CopyTo(big);
        big.AsSpan(32, big.Length - 34).Fill((byte)'a');
        "\"}"u8.CopyTo(big.AsSpan(big.Length - 2));
        huge.Serve("/openapi.json", big);
        var hanging = await BackendAsync(http2: true);
        hanging.Hang("/grpc.reflection.v1.ServerReflection/ServerReflectionInfo");
        var garbage = await BackendAsync();
        garbage.Serve("/system/functions", "<html>gateway error</html>", "text/html");

        var store = new InMemoryStore();
        store.Set([.. TestConfig.Read($"""
            {Discover.Upstream("good", good.Port)}
            ---
            {Discover.Upstream("invalid-json", invalidJson.Port)}
            ---
            {Discover.Upstream("bad-ref", badRef.Port)}
            ---
            {Discover.Upstream("huge", huge.Port)}
            ---
            {Discover.Upstream("hanging", hanging.Port)}
            use_http2: true
            ---
            {Discover.Upstream("garbage", garbage.Port, "discovery.sluice.io/listing: openfaas")}
            """)]);

        var states = (await Discover.OnceAsync(store, Discover.Fast with { RequestTimeout = TimeSpan.FromSeconds(4) })).ToDictionary(s => s.Upstream);

        Assert.Equal("found", states["good"].State);
        Assert.Equal(3, (await Discover.RecordAsync(store, "good")).Functions.Count);
        AssertFailing(states["invalid-json"], $"http://127.0.0.1:{invalidJson.Port}/swagger.json", "neither valid JSON nor valid YAML");
        AssertFailing(states["bad-ref"], "$ref 'schemas/missing.json'", "answered 404");
        AssertFailing(states["huge"], "52428800 bytes", "10 MB limit");
        AssertFailing(states["hanging"], $"gRPC reflection at 127.0.0.1:{hanging.Port}", "did not answer within 4 s");
        AssertFailing(states["garbage"], "/system/functions", "not JSON");

        // The statuses say the same; the good upstream is accepted and serves its functions.
        var result = new Translator(SluicePlugins.Default).Translate(await store.LoadAsync(CancellationToken.None), TranslationState.Empty);
        foreach (var name in new[] { "invalid-json", "bad-ref", "huge", "hanging", "garbage" })
        {
            var status = result.Reports.Single(r => r.Name == name).Status;
            Assert.Equal(StatusState.Warning, status.State);
            Assert.Contains(states[name].Message!, status.Reason);
        }
        Assert.Equal(StatusState.Accepted, result.Reports.Single(r => r.Name == "good").Status.State);
        Assert.Equal(["createPets", "listPets", "showPetById"], result.Plan.Clusters.Single(c => c.Name == "good").Functions.Select(f => f.Name).Order(StringComparer.Ordinal));
    }

    private static void AssertFailing(UpstreamDiscoveryState state, params string[] parts)
    {
        Assert.Equal("failing", state.State);
        foreach (var part in parts)
        {
            Assert.Contains(part, state.Message);
        }
    }
}
