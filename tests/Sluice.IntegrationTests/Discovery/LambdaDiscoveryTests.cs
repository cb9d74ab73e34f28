using Sluice.Hosting;
using Sluice.Api;
using Sluice.IntegrationTests.Infrastructure;
using Sluice.IntegrationTests.Plugins.Aws;
using Sluice.Storage;
using Sluice.Translation;

namespace Sluice.IntegrationTests.Discovery;

/// <summary>
/// Lambda's ListFunctions, against the signature-checking fake (no AWS here: the fake recomputes
/// every SigV4 signature from what arrived and refuses a wrong one with 403, as Lambda does).
/// </summary>
public sealed class LambdaDiscoveryTests : IAsyncLifetime
{
    private FakeLambda _lambda = null!;

    public async Task InitializeAsync()
    {
        _lambda = await FakeLambda.StartAsync(new() { ["AKIDEXAMPLE"] = ("right-secret", null) });
        _lambda.Listed.AddRange([("echo", "$LATEST"), ("echo", "1"), ("resize", "$LATEST"), ("resize", "2"), ("thumbnail", "$LATEST")]);
    }

    public async Task DisposeAsync() => await _lambda.DisposeAsync();

    private InMemoryStore Store(string secret)
    {
        var store = new InMemoryStore();
        store.SetSecrets(new Dictionary<string, ValueMap> { ["aws"] = new([new("access_key", "AKIDEXAMPLE"), new("secret_key", secret)]) });
        store.Set([.. TestConfig.Read($$"""
            name: lambda
            type: aws
            spec: { region: us-east-1, secret_ref: aws, endpoint: "http://127.0.0.1:{{_lambda.Port}}" }
            metadata: { annotations: { discovery.sluice.io/function_discovery: enabled } }
            """)]);
        return store;
    }

    [Fact]
    public async Task Lists_every_page_signed()
    {
        var store = Store("right-secret");

        var state = Assert.Single(await Discover.OnceAsync(store));

        Assert.True(state.State == "found", state.Message);
        Assert.Equal(3, _lambda.ListCalls);
        Assert.Equal(0, _lambda.Refused);
        var record = await Discover.RecordAsync(store, "lambda");
        Assert.Equal(
            new[] { "echo:$LATEST", "echo:1", "resize:$LATEST", "resize:2", "thumbnail:$LATEST" }.Order(StringComparer.Ordinal),
            record.Functions.Select(f => f.Name));
        var versioned = record.Functions.Single(f => f.Name == "resize:2");
        Assert.Equal("resize", Discover.Get(versioned, "function_name"));
        Assert.Equal("2", Discover.Get(versioned, "qualifier"));
        Assert.Equal("", Discover.Get(record.Functions.Single(f => f.Name == "echo:$LATEST"), "qualifier"));

        // The discovered functions are accepted by the Lambda plugin: the upstream translates clean.
        var result = new Translator(SluicePlugins.Default).Translate(await store.LoadAsync(CancellationToken.None), TranslationState.Empty);
        Assert.Equal(StatusState.Accepted, Assert.Single(result.Reports, r => r.Name == "lambda").Status.State);
        Assert.Equal(5, result.Plan.Clusters.Single(c => c.Name == "lambda").Functions.Count);
    }

    [Fact]
    public async Task Wrong_signature_is_refused_and_the_status_says_so()
    {
        var store = Store("wrong-secret");

        var state = Assert.Single(await Discover.OnceAsync(store));

        Assert.Equal("failing", state.State);
        Assert.Equal(1, _lambda.Refused);
        Assert.Contains("403", state.Message);
        var result = new Translator(SluicePlugins.Default).Translate(await store.LoadAsync(CancellationToken.None), TranslationState.Empty);
        var status = Assert.Single(result.Reports, r => r.Name == "lambda").Status;
        Assert.Equal(StatusState.Warning, status.State);
        Assert.Contains("InvalidSignatureException", status.Reason);
        Assert.Contains("signature", status.Reason);
    }
}
