using Sluice.Cli;
using Sluice.Cli.Commands;

namespace Sluice.IntegrationTests.Etcd;

/// <summary>The etcd flags of <c>sluice run</c> (shared by every config verb) and their SLUICE_* variables.</summary>
public sealed class EtcdFlagsTests
{
    [Fact]
    public void Environment_configures_etcd_and_flags_win()
    {
        var environment = new Dictionary<string, string>
        {
            ["SLUICE_STORE"] = "etcd",
            ["SLUICE_ETCD_ENDPOINTS"] = "http://10.0.0.1:2379, http://10.0.0.2:2379",
            ["SLUICE_ETCD_PREFIX"] = "/env/",
            ["SLUICE_ETCD_USERNAME"] = "sluice",
            ["SLUICE_ETCD_PASSWORD"] = "secret",
            ["SLUICE_LEASE_TTL"] = "3",
        };

        var fromEnvironment = RunCommand.ParseEtcdOptions([], environment.GetValueOrDefault)!;
        var withFlag = RunCommand.ParseEtcdOptions(["--etcd-prefix", "/flag/"], environment.GetValueOrDefault)!;

        Assert.Equal(["http://10.0.0.1:2379", "http://10.0.0.2:2379"], fromEnvironment.Endpoints);
        Assert.Equal("/env/", fromEnvironment.Prefix);
        Assert.Equal("sluice", fromEnvironment.Username);
        Assert.Equal("secret", fromEnvironment.Password);
        Assert.Equal(TimeSpan.FromSeconds(3), fromEnvironment.LeaseTtl);
        Assert.Equal("/flag/", withFlag.Prefix);
        Assert.Null(RunCommand.ParseEtcdOptions([], _ => null));
    }

    [Theory]
    [InlineData(new[] { "--store", "etcd" }, "--store etcd needs --etcd-endpoints")]
    [InlineData(new[] { "--store", "etcd", "--etcd-endpoints", "10.0.0.1" }, "--etcd-endpoints: '10.0.0.1' is not an etcd client URL")]
    [InlineData(new[] { "--store", "consul" }, "--store: 'consul' is not a store (file, etcd or kubernetes)")]
    [InlineData(new[] { "--store", "etcd", "--etcd-endpoints", "http://a:2379", "--etcd-username", "u" }, "--etcd-username and --etcd-password go together")]
    [InlineData(new[] { "--store", "etcd", "--etcd-endpoints", "https://a:2379", "--etcd-ca-file", "/nonexistent/ca.pem" }, "--etcd-ca-file: '/nonexistent/ca.pem' does not exist")]
    [InlineData(new[] { "--store", "etcd", "--etcd-endpoints", "http://a:2379", "--lease-ttl", "soon" }, "--lease-ttl: 'soon' is not a number of seconds")]
    public void Mistakes_get_one_precise_message(string[] args, string message)
    {
        var error = Assert.Throws<CliException>(() => RunCommand.ParseEtcdOptions(args, _ => null));
        Assert.Contains(message, error.Message);
    }
}
