using Sluice.Api;
using Sluice.Plugins.Nats;
using static Sluice.Tests.Translation.TranslatorHarness;

namespace Sluice.Tests.Plugins;

public sealed class NatsTranslationTests
{
    private static string Upstream(string serviceInfo) => $"""
        name: bus
        type: static
        spec: {"{"} hosts: [{"{"} addr: 10.0.0.5, port: 4222 {"}"}] {"}"}
        service_info: {serviceInfo}
        ---
        name: vs
        routes:
        - request_matcher: {"{"} path_prefix: / {"}"}
          single_destination: {"{"} function: {"{"} upstream_name: bus, function_name: any.subject.at.all {"}"} {"}"}
        """;

    [Fact]
    public void Nats_upstream_publishes_to_its_hosts_and_accepts_any_subject()
    {
        var result = Translate(Upstream("{ type: nats }"));
        Assert.Equal(Status.Accepted, result.StatusOf(ConfigKind.Upstream, "bus"));
        Assert.Equal(Status.Accepted, result.StatusOf(ConfigKind.VirtualService, "vs"));
        var cluster = Assert.Single(result.Plan.Clusters);
        Assert.True(cluster.AcceptsAnyFunction);
        var spec = Assert.IsType<NatsPublishSpec>(cluster.Invoker);
        Assert.False(spec.JetStream);
        Assert.Equal(TimeSpan.FromSeconds(5), spec.OpTimeout);
        Assert.Equal([new NatsServerAddress("10.0.0.5", 4222, false)], spec.Client.Servers);
        Assert.Equal("any.subject.at.all", result.Plan.VirtualHosts[0].Routes[0].Destinations[0].Function);
    }

    [Fact]
    public void Properties_override_servers_jetstream_timeout_and_headers()
    {
        var result = Translate(Upstream("""{ type: nats, properties: { servers: ["nats://a:4333", "tls://b", "c:1"], jetstream: true, op_timeout: 250ms, headers: [X-Trace, "ce-*"] } }"""));
        var spec = Assert.IsType<NatsPublishSpec>(result.Plan.Clusters[0].Invoker);
        Assert.True(spec.JetStream);
        Assert.Equal(TimeSpan.FromMilliseconds(250), spec.OpTimeout);
        Assert.Equal([new("a", 4333, false), new("b", 4222, true), new NatsServerAddress("c", 1, false)], spec.Client.Servers);
        Assert.Equal(["x-trace", "ce-*"], spec.Headers);
    }

    [Fact]
    public void Nats_streaming_is_gloos_name_and_means_jetstream()
    {
        var result = Translate(Upstream("{ type: nats-streaming, properties: { cluster_id: test-cluster } }"));
        var status = result.StatusOf(ConfigKind.Upstream, "bus");
        Assert.Equal(StatusState.Warning, status.State);
        Assert.Contains("service_info.properties.cluster_id: ignored", status.Reason);
        Assert.True(Assert.IsType<NatsPublishSpec>(result.Plan.Clusters[0].Invoker).JetStream);
    }

    [Theory]
    [InlineData("{ servers: [\"http://a:1\"] }", "service_info.properties.servers[0]: 'http://a:1': scheme must be nats:// or tls://")]
    [InlineData("{ servers: [\"nats://u:p@a:1\"] }", "put credentials in a secret")]
    [InlineData("{ op_timeout: 0s }", "service_info.properties.op_timeout: must be greater than zero")]
    [InlineData("{ headers: [\"bad header\"] }", "service_info.properties.headers[0]: 'bad header' is not a header name")]
    [InlineData("{ secret_ref: missing }", "service_info.properties.secret_ref: secret 'missing' not found")]
    [InlineData("{ secret_ref: empty }", "secret 'empty' must hold 'token', or 'username' and 'password'")]
    [InlineData("{ jetstream: maybe }", "service_info.properties.jetstream")]
    public void Bad_properties_reject_the_upstream_naming_the_field(string properties, string error)
    {
        var snapshot = Snapshot(Upstream($"{{ type: nats, properties: {properties} }}")) with
        {
            Secrets = new Dictionary<string, ValueMap> { ["empty"] = new([new("other", "x")]) },
        };
        var status = Translate(snapshot).StatusOf(ConfigKind.Upstream, "bus");
        Assert.Equal(StatusState.Rejected, status.State);
        Assert.Contains(error, status.Reason);
    }

    [Fact]
    public void Credentials_come_from_the_secret()
    {
        var snapshot = Snapshot(Upstream("{ type: nats, properties: { secret_ref: creds } }")) with
        {
            Secrets = new Dictionary<string, ValueMap> { ["creds"] = new([new("username", "u"), new("password", "p")]) },
        };
        var spec = Assert.IsType<NatsPublishSpec>(Translate(snapshot).Plan.Clusters[0].Invoker);
        Assert.Equal(("u", "p", (string?)null), (spec.Client.User, spec.Client.Password, spec.Client.Token));
    }

    [Theory]
    [InlineData("{ secret_ref: creds }", true, true)]
    [InlineData("{ secret_ref: creds, tls: true }", true, false)]
    [InlineData("{ secret_ref: creds, tls: false }", false, false)]
    [InlineData("{ secret_ref: creds, servers: [\"tls://a\"] }", false, false)]
    [InlineData("{ }", false, false)]
    public void Credentials_force_tls_unless_tls_false_is_written(string properties, bool tls, bool warned)
    {
        var snapshot = Snapshot(Upstream($"{{ type: nats, properties: {properties} }}")) with
        {
            Secrets = new Dictionary<string, ValueMap> { ["creds"] = new([new("token", "s3cret")]) },
        };
        var result = Translate(snapshot);
        var spec = Assert.IsType<NatsPublishSpec>(result.Plan.Clusters[0].Invoker);
        Assert.Equal(tls, spec.Client.Tls);
        var status = result.StatusOf(ConfigKind.Upstream, "bus");
        Assert.Equal(warned ? StatusState.Warning : StatusState.Accepted, status.State);
        if (warned)
        {
            Assert.Contains("service_info.properties.tls: not set, and secret 'creds' holds credentials", status.Reason);
        }
    }

    [Fact]
    public void Options_never_print_the_token_or_the_password()
    {
        var options = new NatsClientOptions { Servers = new([new("a", 4222, false)]), Token = "tok-MARKER", User = "u", Password = "pw-MARKER" };
        var spec = new NatsPublishSpec(options, false, TimeSpan.FromSeconds(1), ValueList<string>.Empty);

        Assert.DoesNotContain("MARKER", options.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("MARKER", spec.ToString(), StringComparison.Ordinal);
        Assert.Contains("User = u", options.ToString(), StringComparison.Ordinal);
        Assert.Contains("Token = (redacted)", options.ToString(), StringComparison.Ordinal);
    }
}
