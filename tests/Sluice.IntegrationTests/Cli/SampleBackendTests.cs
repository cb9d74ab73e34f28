using System.Net;
using System.Text.Json;
using Sluice.Cli.SampleBackend;

namespace Sluice.IntegrationTests.Cli;

public sealed class SampleBackendTests : IAsyncLifetime
{
    private SampleBackendServer? _server;
    private readonly HttpClient _client = new();

    public async Task InitializeAsync() =>
        _server = await SampleBackendServer.StartAsync(IPAddress.Loopback, 0, CancellationToken.None);

    public async Task DisposeAsync()
    {
        _client.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    [Fact]
    public async Task Hello_Greets()
    {
        Assert.NotEqual(0, _server!.Address.Port);

        var response = await _client.GetAsync(new Uri(_server.Address, "/hello"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("hello from the sample backend", (await response.Content.ReadAsStringAsync()).Trim());
    }

    [Fact]
    public async Task AnythingElse_EchoedAsJson()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_server!.Address, "/api/things?color=red"))
        {
            Content = new StringContent("payload"),
        };
        request.Headers.Add("x-demo", "yes");

        var response = await _client.SendAsync(request);

        using var echo = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = echo.RootElement;
        Assert.Equal("sample-backend", root.GetProperty("from").GetString());
        Assert.Equal("POST", root.GetProperty("method").GetString());
        Assert.Equal("/api/things", root.GetProperty("path").GetString());
        Assert.Equal("red", root.GetProperty("query").GetProperty("color").GetString());
        Assert.Equal("yes", root.GetProperty("headers").GetProperty("x-demo").GetString());
        Assert.Equal("payload", root.GetProperty("body").GetString());
    }
}
