using System.Net;
using Sluice.Cli;
using Sluice.Cli.Commands;
using Sluice.Gateway;

namespace Sluice.IntegrationTests.Cli;

public sealed class RunOptionsTests
{
    private static readonly Func<string, string?> NoEnvironment = _ => null;

    [Fact]
    public void NoFlagsNoEnvironment_GatewayDefaults()
    {
        var options = RunCommand.ParseOptions([], NoEnvironment);
        Assert.Equal(new GatewayOptions(), options);
    }

    [Fact]
    public void Flags_AllRead()
    {
        var options = RunCommand.ParseOptions(
            ["--config-dir", "conf", "--bind", "127.0.0.1", "--http-port", "1", "--https-port", "2", "--http2-port", "3",
             "--admin-port", "4", "--admin-bind", "::1", "--role", "gateway"],
            NoEnvironment);

        Assert.Equal(
            new GatewayOptions
            {
                ConfigDir = "conf",
                Bind = IPAddress.Loopback,
                HttpPort = 1,
                HttpsPort = 2,
                Http2Port = 3,
                AdminPort = 4,
                AdminBind = IPAddress.IPv6Loopback,
                Role = GatewayRole.Gateway,
            },
            options);
    }

    [Fact]
    public void Environment_UsedWhenFlagsAbsent()
    {
        var environment = new Dictionary<string, string>
        {
            ["SLUICE_CONFIG_DIR"] = "/etc/sluice",
            ["SLUICE_BIND"] = "0.0.0.0",
            ["SLUICE_HTTP_PORT"] = "18080",
            ["SLUICE_HTTPS_PORT"] = "0",
            ["SLUICE_HTTP2_PORT"] = "18081",
            ["SLUICE_ADMIN_PORT"] = "19001",
            ["SLUICE_ADMIN_BIND"] = "localhost",
            ["SLUICE_ROLE"] = "Controller",
        };

        var options = RunCommand.ParseOptions([], environment.GetValueOrDefault);

        Assert.Equal("/etc/sluice", options.ConfigDir);
        Assert.Equal(IPAddress.Any, options.Bind);
        Assert.Equal(18080, options.HttpPort);
        Assert.Equal(0, options.HttpsPort);
        Assert.Equal(18081, options.Http2Port);
        Assert.Equal(19001, options.AdminPort);
        Assert.Equal(IPAddress.Loopback, options.AdminBind);
        Assert.Equal(GatewayRole.Controller, options.Role);
    }

    [Fact]
    public void FlagBeatsEnvironment()
    {
        var environment = new Dictionary<string, string> { ["SLUICE_HTTP_PORT"] = "18080", ["SLUICE_ROLE"] = "gateway" };

        var options = RunCommand.ParseOptions(["--http-port", "28080"], environment.GetValueOrDefault);

        Assert.Equal(28080, options.HttpPort);
        Assert.Equal(GatewayRole.Gateway, options.Role);
    }

    [Fact]
    public void BadEnvironmentValue_ErrorNamesTheVariable()
    {
        var environment = new Dictionary<string, string> { ["SLUICE_ADMIN_PORT"] = "70000" };

        var error = Assert.Throws<CliException>(() => RunCommand.ParseOptions([], environment.GetValueOrDefault));

        Assert.Equal("SLUICE_ADMIN_PORT: '70000' is not a port (0-65535, 0 = off)", error.Message);
    }

    [Fact]
    public void TrustedProxies_FlagAndEnvironment()
    {
        var fromFlag = RunCommand.ParseOptions(["--trusted-proxies", "10.0.0.0/8, 192.168.1.10,fd00::/8"], NoEnvironment);
        var fromEnvironment = RunCommand.ParseOptions([], name => name == "SLUICE_TRUSTED_PROXIES" ? "127.0.0.1/32" : null);

        Assert.Equal([IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("192.168.1.10/32"), IPNetwork.Parse("fd00::/8")], fromFlag.TrustedProxies);
        Assert.Equal([IPNetwork.Parse("127.0.0.1/32")], fromEnvironment.TrustedProxies);
        Assert.Empty(RunCommand.ParseOptions([], NoEnvironment).TrustedProxies);
    }

    [Theory]
    [InlineData("proxy.internal")]
    [InlineData("10.0.0.0/33")]
    public void TrustedProxies_InvalidCidr_NamesTheFlag(string value)
    {
        var error = Assert.Throws<CliException>(() => RunCommand.ParseOptions(["--trusted-proxies", $"127.0.0.1,{value}"], NoEnvironment));

        Assert.StartsWith($"--trusted-proxies: '{value}' is not a CIDR block", error.Message);
    }

    [Theory]
    [InlineData("10.1.2.3/8", "10.0.0.0/8")]
    [InlineData("192.168.1.77/24", "192.168.1.0/24")]
    [InlineData("fd00::1/8", "fd00::/8")]
    public void TrustedProxies_HostBitsSet_SuggestsTheBlock(string value, string meant)
    {
        var error = Assert.Throws<CliException>(() => RunCommand.ParseOptions(["--trusted-proxies", value], NoEnvironment));

        Assert.Equal($"--trusted-proxies: '{value}' has bits set past its prefix length: did you mean {meant}?", error.Message);
    }

    [Fact]
    public void UpstreamClient_FlagAndEnvironment_DirectByDefault()
    {
        Assert.Equal(UpstreamClient.Direct, RunCommand.ParseOptions([], NoEnvironment).UpstreamClient);
        Assert.Equal(UpstreamClient.Yarp, RunCommand.ParseOptions(["--upstream-client", "yarp"], NoEnvironment).UpstreamClient);
        Assert.Equal(UpstreamClient.Yarp, RunCommand.ParseOptions([], name => name == "SLUICE_UPSTREAM_CLIENT" ? "YARP" : null).UpstreamClient);
        Assert.Equal(UpstreamClient.Direct, RunCommand.ParseOptions(["--upstream-client", "direct"], name => name == "SLUICE_UPSTREAM_CLIENT" ? "yarp" : null).UpstreamClient);
    }

    [Fact]
    public void UpstreamClient_Unknown_NamesTheFlagAndTheChoices()
    {
        var error = Assert.Throws<CliException>(() => RunCommand.ParseOptions(["--upstream-client", "httpclient"], NoEnvironment));

        Assert.Equal("--upstream-client: 'httpclient' is not an upstream client (yarp or direct)", error.Message);
    }

    [Fact]
    public void Describe_OneLineWithEveryListener()
    {
        var line = RunCommand.Describe(new GatewayOptions(), httpPort: 8080, httpsPort: 8443, http2Port: null, adminPort: 19000);

        Assert.DoesNotContain('\n', line);
        Assert.Contains("http on [::]:8080", line);
        Assert.Contains("https on [::]:8443", line);
        Assert.DoesNotContain("h2c", line);
        Assert.Contains("admin on 127.0.0.1:19000", line);
        Assert.Contains("./sluice-config", line);
    }

    [Fact]
    public async Task Run_MissingConfigDirFromEnvironment_OneLineExit1()
    {
        // The real process environment: the variable must reach `run` through RunAsync too.
        var missing = Path.Combine(Path.GetTempPath(), "sluice-no-such-" + Guid.NewGuid().ToString("N"));
        Environment.SetEnvironmentVariable("SLUICE_CONFIG_DIR", missing);
        try
        {
            var run = (await CliRun.RunAsync("run")).AssertExit(1).AssertNoStackTrace();
            Assert.Contains($"config directory '{missing}' does not exist", run.Err);
        }
        finally
        {
            Environment.SetEnvironmentVariable("SLUICE_CONFIG_DIR", null);
        }
    }

    [Fact]
    public void Request_headers_timeout_is_read_in_seconds_and_checked()
    {
        Assert.Equal(TimeSpan.FromSeconds(10), RunCommand.ParseOptions([], NoEnvironment).RequestHeadersTimeout);
        Assert.Equal(TimeSpan.FromSeconds(2.5), RunCommand.ParseOptions(["--request-headers-timeout", "2.5"], NoEnvironment).RequestHeadersTimeout);
        var error = Assert.Throws<CliException>(() => RunCommand.ParseOptions(["--request-headers-timeout", "soon"], NoEnvironment));
        Assert.Contains("--request-headers-timeout", error.Message, StringComparison.Ordinal);
    }
}
