using System.Net;
using System.Text.Json;
using Sluice.IntegrationTests.Infrastructure;
using Sluice.IntegrationTests.Plugins.Aws;
using Sluice.Storage;
using Sluice.Tests.Infrastructure;

namespace Sluice.IntegrationTests.Gateway;

/// <summary>
/// A secret in the config folder is overwritten with a bad one while clients keep calling: the
/// last accepted contents keep serving, no request fails, and the status says why the new
/// contents were refused.
/// </summary>
[Collection(TimingCollection.Name)]
public sealed class BadSecretUpdateTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Clients = 8;
    private readonly string _dir = Directory.CreateTempSubdirectory("sluice-bad-secret-").FullName;
    private readonly TestCertificates _authority = new();
    private GatewayFixture? _gateway;

    public Task InitializeAsync()
    {
        foreach (var section in new[] { "upstreams", "virtualservices", "secrets" })
        {
            Directory.CreateDirectory(Path.Combine(_dir, section));
        }
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }
        _authority.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Mismatched_certificate_under_https_load_keeps_the_old_certificate_and_fails_nothing()
    {
        await using var backend = await TestBackend.StartAsync();
        var (certificate, key) = _authority.Server("shop.example.com");
        var (_, otherKey) = _authority.Server("other.example.com");
        Write("upstreams/backend.yaml", TestConfig.Upstream("backend", backend.Port));
        Write("secrets/shop-tls", SecretYaml(("tls.crt", certificate), ("tls.key", key)));
        Write("virtualservices/shop.yaml", """
            name: shop
            domains: [shop.example.com]
            ssl_config: { secret_ref: shop-tls }
            routes:
            - request_matcher: { path_prefix: / }
              single_destination: { upstream: { name: backend } }
            """);
        _gateway = await GatewayFixture.StartAsync(store: new FileStore(_dir), output: output);
        string servedSerial;
        using (var probe = new TlsClient(_gateway.Options.HttpsPort, _authority))
        {
            await probe.GetEchoAsync("shop.example.com", "/");
            servedSerial = probe.ServerCertificate!.SerialNumber;
        }

        var (failures, serials, requests) = await UnderLoadAsync(
            async () =>
            {
                // A fresh connection for every request: each one is a new handshake, so each
                // shows which certificate is being served right now.
                using var client = new TlsClient(_gateway.Options.HttpsPort, _authority);
                using var response = await client.GetAsync("shop.example.com", "/");
                return (response.StatusCode, client.ServerCertificate?.SerialNumber);
            },
            async () =>
            {
                Write("secrets/shop-tls", SecretYaml(("tls.crt", certificate), ("tls.key", otherKey)));
                var status = await RejectedStatusAsync("virtualservices/shop");
                Assert.StartsWith("virtualservices/shop.yaml:3:13: ssl_config: the certificate and key do not form a usable certificate", status);
                Assert.EndsWith("keeps serving, with the last accepted contents of 'shop-tls'", status);
            });

        Assert.Empty(failures);
        Assert.Equal([servedSerial], serials);
        Assert.True(requests > Clients * 5, $"only {requests} requests were made");
    }

    [Fact]
    public async Task Bad_aws_secret_under_load_keeps_signing_with_the_old_keys_and_fails_nothing()
    {
        const string secretKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
        // The fake checks every SigV4 signature as AWS does (Lambda itself cannot run here).
        await using var lambda = await FakeLambda.StartAsync(new() { ["AKIDEXAMPLE"] = (secretKey, null) });
        Write("secrets/aws", SecretYaml(("access_key", "AKIDEXAMPLE"), ("secret_key", secretKey)));
        Write("upstreams/lambda.yaml", $$"""
            name: lambda
            type: aws
            spec: { region: us-east-1, secret_ref: aws, endpoint: "http://127.0.0.1:{{lambda.Port}}" }
            functions: [{ name: echo, spec: { function_name: echo } }]
            """);
        Write("virtualservices/default.yaml", """
            name: default
            routes:
            - request_matcher: { path_exact: /echo }
              single_destination: { function: { upstream_name: lambda, function_name: echo } }
            """);
        _gateway = await GatewayFixture.StartAsync(store: new FileStore(_dir), output: output);

        var (failures, _, requests) = await UnderLoadAsync(
            async () =>
            {
                using var response = await _gateway.Client.PostAsync("/echo", new StringContent("{}"));
                return (response.StatusCode, null);
            },
            async () =>
            {
                Write("secrets/aws", SecretYaml(("access_key", "AKIDEXAMPLE")));
                var status = await RejectedStatusAsync("upstreams/lambda");
                Assert.Equal(
                    "upstreams/lambda.yaml:3:28: spec.secret_ref: key secret_key missing from secret 'aws'; the last accepted version (resource_version 1) keeps serving, with the last accepted contents of 'aws'",
                    status);
            });

        Assert.Empty(failures);
        Assert.Equal(0, lambda.Refused);
        Assert.True(requests > Clients * 5, $"only {requests} requests were made");
    }

    /// <summary>
    /// Runs <paramref name="request"/> from <see cref="Clients"/> clients until <paramref name="change"/>
    /// has been made and confirmed, and a while after; returns every failure and served serial.
    /// </summary>
    private static async Task<(List<string> Failures, SortedSet<string> Serials, int Requests)> UnderLoadAsync(
        Func<Task<(HttpStatusCode Status, string? Serial)>> request, Func<Task> change)
    {
        using var stop = new CancellationTokenSource();
        var failures = new List<string>();
        var serials = new SortedSet<string>(StringComparer.Ordinal);
        var requests = 0;
        var load = Enumerable.Range(0, Clients).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                string? failure = null;
                try
                {
                    var (status, serial) = await request();
                    if (status != HttpStatusCode.OK)
                    {
                        failure = $"status {(int)status}";
                    }
                    if (serial is not null)
                    {
                        lock (serials)
                        {
                            serials.Add(serial);
                        }
                    }
                }
                catch (Exception e)
                {
                    failure = e.Message;
                }
                Interlocked.Increment(ref requests);
                if (failure is not null)
                {
                    lock (failures)
                    {
                        failures.Add(failure);
                    }
                }
            }
        })).ToArray();

        await Task.Delay(300);
        await change();
        // Keep the load on across a few more reload checks (the file store and the TLS check).
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        await stop.CancelAsync();
        await Task.WhenAll(load);
        return (failures, serials, requests);
    }

    /// <summary>Waits (up to 10 s) until the admin API reports the object rejected; returns the reason.</summary>
    private async Task<string> RejectedStatusAsync(string path)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var json = JsonDocument.Parse(await _gateway!.Admin.GetStringAsync($"/api/v1/{path}"));
            var status = json.RootElement.GetProperty("status");
            if (status.GetProperty("state").GetString() == "Rejected")
            {
                return status.GetProperty("reason").GetString()!;
            }
            Assert.True(DateTime.UtcNow < deadline, "the bad secret was not judged within 10 s");
            await Task.Delay(50);
        }
    }

    private void Write(string relative, string content) => File.WriteAllText(Path.Combine(_dir, relative), content);

    /// <summary>A flat YAML map; PEM (multi-line) values as block scalars, as the README shows.</summary>
    private static string SecretYaml(params (string Key, string Value)[] entries) => string.Concat(entries.Select(e => e.Value.Contains('\n')
        ? $"{e.Key}: |\n" + string.Concat(e.Value.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => $"  {line}\n"))
        : $"{e.Key}: \"{e.Value}\"\n"));
}
