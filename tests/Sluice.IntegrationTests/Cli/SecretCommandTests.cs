using Sluice.Storage;
using Sluice.Tests.Infrastructure;

namespace Sluice.IntegrationTests.Cli;

/// <summary><c>sluice secret create|get|delete</c> as the built executable on a real folder: values never shown unless asked.</summary>
public sealed class SecretCommandTests : IDisposable
{
    private readonly ConfigFolder _config = new();

    private string[] Dir => ["--config-dir", _config.Path];

    [Fact]
    public async Task Create_each_kind_get_hides_values_and_delete()
    {
        using var ca = new TestCertificates();
        var (cert, key) = ca.Server("shop.example.com");
        var certFile = _config.Write("in/tls.crt", cert);
        var keyFile = _config.Write("in/tls.key", key);
        var credentials = _config.Write("in/credentials", "[default]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = wJalrXUtnFEMI\n[other]\naws_access_key_id = X\n");

        (await CliProcess.RunAsync(["secret", "create", "tls", "shop-tls", "--cert", certFile, "--key", keyFile, .. Dir])).AssertExit(0);
        (await CliProcess.RunAsync(["secret", "create", "aws", "aws-creds", "-f", credentials, .. Dir])).AssertExit(0);
        (await CliProcess.RunAsync(["secret", "create", "aws", "aws-env", "--env", .. Dir], environment: new Dictionary<string, string> { ["AWS_ACCESS_KEY_ID"] = "AKIAENV", ["AWS_SECRET_ACCESS_KEY"] = "envsecret" })).AssertExit(0);
        (await CliProcess.RunAsync(["secret", "create", "azure", "azure-keys", "--master-key", "m4ster", "--function-key", "orders=0rders", .. Dir])).AssertExit(0);
        var generic = (await CliProcess.RunAsync(["secret", "create", "generic", "nats", "--from-literal", "token=t0ken", "--from-file", "ca=" + certFile, .. Dir])).AssertExit(0);
        Assert.Equal("secret/nats created (keys: token, ca)", generic.Out.Trim());

        // What the gateway reads: the store's own snapshot.
        var snapshot = await new FileStore(_config.Path).LoadAsync(CancellationToken.None);
        Assert.Equal(cert, snapshot.Secrets["shop-tls"]["tls.crt"]);
        Assert.Equal(key, snapshot.Secrets["shop-tls"]["tls.key"]);
        Assert.Equal("wJalrXUtnFEMI", snapshot.Secrets["aws-creds"]["secret_key"]);
        Assert.Equal("AKIAENV", snapshot.Secrets["aws-env"]["access_key"]);
        Assert.Equal("0rders", snapshot.Secrets["azure-keys"]["orders"]);
        Assert.Equal("m4ster", snapshot.Secrets["azure-keys"]["_master"]);
        Assert.Empty(snapshot.SecretErrors);

        var table = (await CliProcess.RunAsync(["secret", "get", .. Dir])).AssertExit(0);
        Assert.Matches(@"(?m)^shop-tls\s+tls\.crt, tls\.key$", table.Out);
        var yaml = (await CliProcess.RunAsync(["secret", "get", "aws-creds", "azure-keys", "-o", "yaml", .. Dir])).AssertExit(0);
        foreach (var value in new[] { "wJalrXUtnFEMI", "AKIAEXAMPLE", "m4ster", "0rders" })
        {
            Assert.DoesNotContain(value, table.Out + yaml.Out, StringComparison.Ordinal);
        }
        Assert.Contains("<hidden: 13 characters", yaml.Out, StringComparison.Ordinal);
        var shown = (await CliProcess.RunAsync(["secret", "get", "aws-creds", "--show-values", .. Dir])).AssertExit(0);
        Assert.Matches(@"(?m)^aws-creds\s+secret_key\s+wJalrXUtnFEMI$", shown.Out);

        var exists = (await CliProcess.RunAsync(["secret", "create", "generic", "nats", "--from-literal", "token=other", .. Dir])).AssertExit(1);
        Assert.Contains("secret 'nats' already exists (--overwrite replaces it)", exists.Err, StringComparison.Ordinal);
        var mismatched = (await CliProcess.RunAsync(["secret", "create", "tls", "bad", "--cert", certFile, "--key", certFile, .. Dir])).AssertExit(1).AssertNoStackTrace();
        Assert.Contains("--cert and --key do not form a certificate", mismatched.Err, StringComparison.Ordinal);
        var half = (await CliProcess.RunAsync(["secret", "create", "aws", "x", "--access-key-id", "A", .. Dir])).AssertExit(1);
        Assert.Contains("--access-key-id and --secret-access-key go together", half.Err, StringComparison.Ordinal);
        var literal = (await CliProcess.RunAsync(["secret", "create", "generic", "y", "--from-literal", "s3cr3t-without-key", .. Dir])).AssertExit(1);
        Assert.DoesNotContain("s3cr3t-without-key", literal.Err, StringComparison.Ordinal);

        (await CliProcess.RunAsync(["secret", "delete", "nats", .. Dir])).AssertExit(0);
        var gone = (await CliProcess.RunAsync(["secret", "get", "nats", .. Dir])).AssertExit(1);
        Assert.Contains("secret 'nats': not found", gone.Err, StringComparison.Ordinal);
        var typo = (await CliProcess.RunAsync(["secret", "delete", "aws-cred", .. Dir])).AssertExit(1);
        Assert.Contains("did you mean 'aws-creds'?", typo.Err, StringComparison.Ordinal);
    }

    public void Dispose() => _config.Dispose();
}
