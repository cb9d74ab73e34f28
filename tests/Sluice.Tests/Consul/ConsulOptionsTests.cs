using Sluice.Consul;

namespace Sluice.Tests.Consul;

/// <summary>CONSUL_HTTP_ADDR as Consul's tools read it: host:port means http.</summary>
public sealed class ConsulOptionsTests
{
    [Theory]
    [InlineData("127.0.0.1:8500", "http://127.0.0.1:8500/")]
    [InlineData("consul.service:8500", "http://consul.service:8500/")]
    [InlineData("https://consul.example.com:8501", "https://consul.example.com:8501/")]
    [InlineData(" http://[::1]:8500 ", "http://[::1]:8500/")]
    public void Addresses_are_read_as_consul_reads_them(string text, string expected)
    {
        Assert.True(ConsulOptions.TryParseAddress(text, out var address));
        Assert.Equal(expected, address.ToString());
    }

    [Theory]
    [InlineData("unix:///var/run/consul.sock")]
    [InlineData("ftp://consul:21")]
    [InlineData("http://consul:8500/v1")]
    [InlineData("")]
    public void Other_addresses_are_refused(string text) =>
        Assert.False(ConsulOptions.TryParseAddress(text, out _));
}
