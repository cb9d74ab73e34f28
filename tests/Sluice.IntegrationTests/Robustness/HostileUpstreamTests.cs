using System.Net;
using System.Text.Json;

namespace Sluice.IntegrationTests.Robustness;

/// <summary>
/// Upstreams that break the rules, behind the built gateway process: each request gets a 5xx
/// with its <c>x-sluice-error</c> code and JSON body (or, once the upstream's status line was
/// already passed on, a cut connection), and the gateway goes on serving (see <see cref="AttackedGateway"/>).
/// </summary>
[Collection(AttackedGatewayCollection.Name)]
public sealed class HostileUpstreamTests(AttackedGateway gateway)
{
    [Theory]
    [InlineData("/reset-in-headers", HttpStatusCode.BadGateway, "upstream_reset")]
    [InlineData("/bad-status", HttpStatusCode.BadGateway, "upstream_reset")]
    [InlineData("/many-headers", HttpStatusCode.BadGateway, "upstream_reset")]
    [InlineData("/silent", HttpStatusCode.GatewayTimeout, "upstream_timeout")]
    [InlineData("/rest/not-json", HttpStatusCode.BadGateway, "bad_response_body")]
    [InlineData("/rest/gzip-bomb", HttpStatusCode.BadGateway, "response_too_large")]
    [InlineData("/rest/reset-in-body", HttpStatusCode.BadGateway, "upstream_reset")]
    [InlineData("/lambda", HttpStatusCode.BadGateway, "lambda_bad_proxy_result")]
    [InlineData("/azure", HttpStatusCode.BadGateway, "upstream_reset")]
    public async Task A_broken_answer_is_a_5xx_with_its_code(string path, HttpStatusCode status, string code)
    {
        using var response = await gateway.Client.GetAsync(gateway.Process.Traffic + path);
        await AssertAnswerAsync(response, status, code);
        await gateway.AssertSurvivedAsync();
    }

    [Fact]
    public async Task A_gzip_encoded_json_answer_is_decoded_for_the_response_template()
    {
        // The bomb's counterpart: an honest compressed answer renders, and goes out decoded.
        using var response = await gateway.Client.GetAsync(gateway.Process.Traffic + "/rest/gzip-ok");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(response.Content.Headers.ContentEncoding);
        Assert.Equal("name=rex", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/reset-in-body")]
    [InlineData("/endless")]
    public async Task A_body_cut_after_the_status_line_cuts_the_clients_connection(string path)
    {
        // The upstream's 200 is already on its way to the client, so no 5xx can follow: the client
        // must see an incomplete response, never a silently truncated one.
        using var response = await gateway.Client.GetAsync(gateway.Process.Traffic + path, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await Assert.ThrowsAnyAsync<Exception>(async () => await response.Content.ReadAsByteArrayAsync());
        await gateway.AssertSurvivedAsync();
    }

    [Fact]
    public async Task A_nats_server_that_stops_answering_is_a_408_and_then_serves_again()
    {
        using (var ok = await gateway.Client.PostAsync(gateway.Process.Traffic + "/nats", new StringContent("{}")))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }
        await gateway.Nats.PauseAsync();
        try
        {
            // The server's socket stays open and silent: no confirmation within op_timeout (1 s).
            // 408 nats_timeout is the documented answer (docs/events.md).
            using var response = await gateway.Client.PostAsync(gateway.Process.Traffic + "/nats", new StringContent("{}"));
            await AssertAnswerAsync(response, HttpStatusCode.RequestTimeout, "nats_timeout");
            await gateway.AssertSurvivedAsync();
        }
        finally
        {
            await gateway.Nats.ResumeAsync();
        }
        var deadline = DateTime.UtcNow.AddSeconds(15);
        HttpStatusCode status;
        do
        {
            using var again = await gateway.Client.PostAsync(gateway.Process.Traffic + "/nats", new StringContent("{}"));
            status = again.StatusCode;
        }
        while (status != HttpStatusCode.OK && DateTime.UtcNow < deadline);
        Assert.Equal(HttpStatusCode.OK, status);
    }

    private static async Task AssertAnswerAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal(code, response.Headers.GetValues("x-sluice-error").Single());
        using var json = JsonDocument.Parse(body);
        Assert.Equal(code, json.RootElement.GetProperty("code").GetString());
        Assert.False(string.IsNullOrWhiteSpace(json.RootElement.GetProperty("message").GetString()));
    }
}
