using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Plugins.Serverless;

/// <summary>
/// Google Cloud Functions and the OpenFaaS, Fission and Fn URL shapes, against a real backend
/// that says what it received.
/// </summary>
public sealed class FunctionUrlShapeTests(ITestOutputHelper output) : IAsyncLifetime
{
    private TestBackend _backend = null!;
    private GatewayFixture _gateway = null!;

    public async Task InitializeAsync()
    {
        _backend = await TestBackend.StartAsync();
        _gateway = await GatewayFixture.StartAsync(output: output);
        var port = _backend.Port;
        await _gateway.ApplyAsync($$"""
            name: gcf
            type: google
            spec: { region: us-central1, project_id: my-project, endpoint: "http://127.0.0.1:{{port}}" }
            functions:
            - { name: hello, spec: { url: "https://us-central1-my-project.cloudfunctions.net/hello" } }
            ---
            name: openfaas
            type: static
            spec: { hosts: [{ addr: 127.0.0.1, port: {{port}} }] }
            service_info: { type: openfaas }
            functions: [{ name: figlet }, { name: renamed, spec: { function_name: nodeinfo } }]
            ---
            name: fission
            type: static
            spec: { hosts: [{ addr: 127.0.0.1, port: {{port}} }] }
            service_info: { type: fission }
            functions: [{ name: hello }]
            ---
            name: fn
            type: static
            spec: { hosts: [{ addr: 127.0.0.1, port: {{port}} }] }
            service_info: { type: fn }
            functions: [{ name: hello, spec: { app: myapp } }, { name: nested, spec: { app: myapp, route: /v1/greet } }]
            ---
            name: default
            routes:
            - request_matcher: { path_prefix: /gcf }
              single_destination: { function: { upstream_name: gcf, function_name: hello } }
            - request_matcher: { path_prefix: /faas/figlet }
              single_destination: { function: { upstream_name: openfaas, function_name: figlet } }
            - request_matcher: { path_prefix: /faas/renamed }
              single_destination: { function: { upstream_name: openfaas, function_name: renamed } }
            - request_matcher: { path_prefix: /fission }
              single_destination: { function: { upstream_name: fission, function_name: hello } }
            - request_matcher: { path_prefix: /fn/hello }
              single_destination: { function: { upstream_name: fn, function_name: hello } }
            - request_matcher: { path_prefix: /fn/nested }
              single_destination: { function: { upstream_name: fn, function_name: nested } }
            """);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _backend.DisposeAsync();
    }

    [Fact]
    public async Task Google_function_gets_its_url_path_and_host()
    {
        var echo = await _gateway.GetEchoAsync("/gcf/anything?x=1");
        Assert.Equal("GET", echo.Method);
        Assert.Equal("/hello", echo.Path);
        Assert.Equal("?x=1", echo.Query);
        Assert.Equal("us-central1-my-project.cloudfunctions.net", echo.Headers["host"]);
    }

    [Theory]
    [InlineData("/faas/figlet", "/function/figlet")]
    [InlineData("/faas/renamed", "/function/nodeinfo")]
    [InlineData("/fission", "/fission-function/hello")]
    [InlineData("/fn/hello", "/r/myapp/hello")]
    [InlineData("/fn/nested", "/r/myapp/v1/greet")]
    public async Task Faas_functions_are_posted_to_their_url_shape(string path, string expected)
    {
        // A GET from the client: the function is still invoked with POST, body passed through.
        var echo = await _gateway.GetEchoAsync(path + "?q=1");
        Assert.Equal("POST", echo.Method);
        Assert.Equal(expected, echo.Path);
        Assert.Equal("?q=1", echo.Query);

        using var response = await _gateway.Client.PostAsync(path, new StringContent("payload"));
        response.EnsureSuccessStatusCode();
        Assert.Contains("\"Body\":\"payload\"", await response.Content.ReadAsStringAsync());
    }
}
