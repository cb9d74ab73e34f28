using System.Net;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Gateway;

/// <summary><c>max_retries</c>: retried on 5xx and on connect failure, bodies included.</summary>
public sealed class RetryTests(ITestOutputHelper output) : GatewayTest(output)
{
    private int _closedPort;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _closedPort = FreePorts.Next();
        await Gateway.ApplyAsync(TestConfig.Upstream("backend", Backend.Port) + $$"""
            name: half-closed
            type: static
            spec:
              hosts:
              - { addr: 127.0.0.1, port: {{_closedPort}} }
              - { addr: 127.0.0.1, port: {{Backend.Port}} }
            ---
            name: default
            routes:
            - request_matcher: { path_prefix: /retried }
              single_destination: { upstream: { name: backend } }
              extensions: { max_retries: 2 }
            - request_matcher: { path_prefix: /once }
              single_destination: { upstream: { name: backend } }
            - request_matcher: { path_prefix: /half-closed }
              single_destination: { upstream: { name: half-closed } }
              extensions: { max_retries: 1 }
            """);
    }

    [Fact]
    public async Task Failures_within_the_budget_are_retried_with_the_body()
    {
        Backend.FailNext(2);
        var before = Backend.Requests;
        using var response = await Gateway.Client.PostAsync("/retried", new StringContent("keep me"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, Backend.Requests - before);
        lock (Backend.Bodies)
        {
            Assert.All(Backend.Bodies.TakeLast(3), body => Assert.Equal("keep me", body));
        }
    }

    [Fact]
    public async Task H2c_body_of_unknown_length_is_sent_once_not_retried_empty()
    {
        Backend.FailNext(1);
        var before = Backend.Requests;
        using var client = new HttpClient { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        // A stream of unknown length: HTTP/2 sends it without content-length (and without chunking).
        using var body = new StreamContent(new UnknownLengthStream("stream me"u8.ToArray()));

        using var response = await client.PostAsync($"http://127.0.0.1:{Gateway.Options.Http2Port}/retried", body);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(1, Backend.Requests - before);
        lock (Backend.Bodies)
        {
            Assert.Equal("stream me", Backend.Bodies.Last());
        }
    }

    /// <summary>Hides its length, so HttpClient cannot send a content-length.</summary>
    private sealed class UnknownLengthStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }

    [Fact]
    public async Task Failures_beyond_the_budget_pass_the_last_5xx_on()
    {
        Backend.FailNext(3);
        var before = Backend.Requests;
        using var response = await Gateway.Client.GetAsync("/retried");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("failing on purpose", await response.Content.ReadAsStringAsync());
        Assert.Equal(3, Backend.Requests - before);
    }

    [Fact]
    public async Task Without_max_retries_a_5xx_is_not_retried()
    {
        Backend.FailNext(1);
        var before = Backend.Requests;
        using var response = await Gateway.Client.GetAsync("/once");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(1, Backend.Requests - before);
    }

    [Fact]
    public async Task Connect_failure_is_retried_on_the_next_endpoint()
    {
        // Round robin alternates between the closed port and the live one; with one retry every
        // request must land on the live endpoint, whichever it started with.
        for (var i = 0; i < 6; i++)
        {
            using var response = await Gateway.Client.GetAsync("/half-closed");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }
}
