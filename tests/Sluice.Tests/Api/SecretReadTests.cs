using Sluice.Api;

namespace Sluice.Tests.Api;

public sealed class SecretReadTests
{
    [Fact]
    public void Reads_FlatMap_InOrder()
    {
        var secret = ConfigCodec.ReadSecret(Decode.Lines(
            "tls.crt: |",
            "  -----BEGIN CERTIFICATE-----",
            "  MIIB",
            "  -----END CERTIFICATE-----",
            "tls.key: \"-----BEGIN KEY-----\\nabc\\n-----END KEY-----\\n\"",
            "access_key: AKIA123",
            "port: 0800",
            "enabled: true",
            "empty:"), "secrets/my-cert");

        Assert.Equal(["tls.crt", "tls.key", "access_key", "port", "enabled", "empty"], secret.Keys);
        Assert.Equal("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", secret["tls.crt"]);
        Assert.Equal("-----BEGIN KEY-----\nabc\n-----END KEY-----\n", secret["tls.key"]);
        Assert.Equal("0800", secret["port"]);
        Assert.Equal("true", secret["enabled"]);
        Assert.Equal("", secret["empty"]);
    }

    [Fact]
    public void Reads_EmptyFile_AsEmptySecret()
    {
        Assert.Equal(ValueMap.Empty, ConfigCodec.ReadSecret("# nothing yet\n", "secrets/x"));
    }

    [Theory]
    [InlineData("access_key: a\nsecret_key:\n  nested: b\n", "secrets/aws:3:3: field 'secret_key': expected a string, got a mapping (a secret is a flat map of strings)")]
    [InlineData("keys: [a, b]\n", "secrets/aws:1:7: field 'keys': expected a string, got a list (a secret is a flat map of strings)")]
    [InlineData("- a\n", "secrets/aws:1:1: expected a flat map of strings, got a list")]
    [InlineData("a: 'b\n", "secrets/aws:1:4: not valid YAML (a secret's contents are not shown)")]
    [InlineData("a: b\na: c\n", "secrets/aws:2:1: not valid YAML (a secret's contents are not shown)")]
    [InlineData("a: b\n---\nc: d\n", "secrets/aws:3: a secret is a single YAML document; found a second one")]
    public void Rejects_WithPreciseError(string text, string message)
    {
        var error = Assert.Throws<ConfigException>(() => ConfigCodec.ReadSecret(text, "secrets/aws"));

        Assert.Equal(message, error.Error.ToString());
        Assert.Equal(message, error.Message);
    }

    [Theory]
    [InlineData("ghp_MARKER0123456789abcdef\n", "secrets/aws:1:1: expected a flat map of strings, got a single value (not shown)")]
    [InlineData("'ghp_MARKER0123456789abcdef'\n", "secrets/aws:1:1: expected a flat map of strings, got a single value (not shown)")]
    [InlineData("token: *ghp_MARKER0123\n", "secrets/aws:1:8: not valid YAML (a secret's contents are not shown)")]
    [InlineData("token:\n  - ghp_MARKER0123\n", "secrets/aws:2:3: field 'token': expected a string, got a list (a secret is a flat map of strings)")]
    [InlineData("ghp_MARKER: a\nghp_MARKER: b\n", "secrets/aws:2:1: not valid YAML (a secret's contents are not shown)")]
    public void Errors_never_show_the_secret_text(string text, string message)
    {
        var error = Assert.Throws<ConfigException>(() => ConfigCodec.ReadSecret(text, "secrets/aws"));

        Assert.Equal(message, error.Message);
        Assert.DoesNotContain("MARKER", error.Error.ToString(), StringComparison.Ordinal);
    }
}
