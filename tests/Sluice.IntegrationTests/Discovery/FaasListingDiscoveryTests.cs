using System.Net;
using System.Text;
using System.Text.Json;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Discovery;

/// <summary>
/// OpenFaaS, Fission and Fn listings against fakes of their APIs (<see cref="FakeFaasPlatform"/>:
/// the platforms cannot run here): every function listed is found (Fn's across pages), written
/// beside the upstream with the platform as its service type, and a route to one is served end
/// to end through the FaaS plugin; a function the platform no longer lists disappears.
/// </summary>
public sealed class FaasListingDiscoveryTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("openfaas", new[] { "figlet", "nodeinfo", "sentiment" }, "nodeinfo", "/function/nodeinfo")]
    [InlineData("fission", new[] { "hello", "resize", "thumbnail" }, "resize", "/fission-function/resize")]
    [InlineData("fn", new[] { "shop/cart", "shop/checkout", "tools/hash" }, "shop.checkout", "/r/shop/checkout")]
    public async Task Listed_functions_are_found_written_and_served(string platform, string[] listed, string routed, string call)
    {
        await using var faas = await FakeFaasPlatform.StartAsync(listed);
        await using var gateway = await GatewayFixture.StartAsync(output: output);
        await gateway.ApplyAsync($$"""
            {{Discover.Upstream(platform, faas.Port, $"discovery.sluice.io/listing: {platform}")}}
            ---
            name: default
            routes:
            - request_matcher: { path_prefix: /call }
              single_destination: { function: { upstream_name: {{platform}}, function_name: {{routed}} } }
            """);

        var state = Assert.Single(await Discover.OnceAsync(gateway.Store));
        Assert.True(state.State == "found", state.Message);
        var record = await Discover.RecordAsync(gateway.Store, platform);
        var expected = listed.Select(f => f.Replace('/', '.')).ToArray();
        Assert.Equal(expected, record.Functions.Select(f => f.Name));
        Assert.Equal(platform, record.ServiceInfo!.Type);
        Assert.All(record.Functions, f => Assert.Equal($"{platform} listing at 127.0.0.1:{faas.Port}", f.Discovered!.Source));
        if (platform == "fn")
        {
            // One app and one route per page: every page was followed by its cursor.
            Assert.Equal(2, faas.Listings.Count(l => l.StartsWith("/v1/apps?cursor=", StringComparison.Ordinal) || l == "/v1/apps"));
            Assert.Contains(faas.Listings, l => l.StartsWith("/v1/apps/shop/routes?cursor=", StringComparison.Ordinal));
            Assert.Equal("shop", Discover.Get(record.Functions.Single(f => f.Name == "shop.checkout"), "app"));
            Assert.Equal("/checkout", Discover.Get(record.Functions.Single(f => f.Name == "shop.checkout"), "route"));
        }
        else
        {
            Assert.Equal(routed, Discover.Get(record.Functions.Single(f => f.Name == routed), "function_name"));
        }

        // Nobody wrote the function: the route to it is served from what discovery found.
        var echo = await PostUntilServedAsync(gateway, """{"text": "hi"}""");
        Assert.Equal("POST", echo.GetProperty("method").GetString());
        Assert.Equal(call, echo.GetProperty("path").GetString());
        Assert.Equal("""{"text": "hi"}""", echo.GetProperty("body").GetString());

        // The platform drops a function: the next pass removes it, and only it.
        faas.Functions.TryRemove(listed[0], out _);
        Assert.Equal("found", Assert.Single(await Discover.OnceAsync(gateway.Store)).State);
        Assert.Equal(expected[1..], (await Discover.RecordAsync(gateway.Store, platform)).Functions.Select(f => f.Name));
    }

    private static async Task<JsonElement> PostUntilServedAsync(GatewayFixture gateway, string body)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using var response = await gateway.Client.PostAsync("/call", content);
            var text = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return JsonDocument.Parse(text).RootElement.Clone();
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"still {(int)response.StatusCode}: {text}");
            }
            await Task.Delay(20);
        }
    }
}
