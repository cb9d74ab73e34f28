using Sluice.Api;
using Sluice.Plugins.Events;
using static Sluice.Tests.Translation.TranslatorHarness;

namespace Sluice.Tests.Plugins;

public sealed class CloudEventDeliveryTranslationTests
{
    private static string Route(string options) => Backend + $$"""
        name: vs
        routes:
        - request_matcher: { path_prefix: /hook }
          single_destination: { upstream: { name: backend } }
          extensions: { cloudevents: {{options}} }
        """;

    [Fact]
    public void Option_compiles_into_route_data()
    {
        var result = Translate(Route("{ deliver_as: binary, type: com.example.hook, source: /sluice/hooks, subject: github }"));
        Assert.Equal(Status.Accepted, result.StatusOf(ConfigKind.VirtualService, "vs"));
        var data = result.Plan.VirtualHosts[0].Routes[0].Data.Get<CloudEventDelivery>();
        Assert.Equal(new CloudEventDelivery("com.example.hook", "/sluice/hooks", "github"), data);
    }

    [Theory]
    [InlineData("{ type: t }", "extensions.cloudevents.source: required")]
    [InlineData("{ source: /s }", "extensions.cloudevents.type: required")]
    [InlineData("{ deliver_as: structured, type: t, source: /s }", "extensions.cloudevents.deliver_as: 'structured' is not supported")]
    [InlineData("{ type: t, source: 'http://[bad' }", "extensions.cloudevents.source: 'http://[bad' is not a URI-reference")]
    [InlineData("binary", "extensions.cloudevents: expected an object")]
    public void Bad_options_reject_the_virtual_service_naming_the_field(string options, string error)
    {
        var status = Translate(Route(options)).StatusOf(ConfigKind.VirtualService, "vs");
        Assert.Equal(StatusState.Rejected, status.State);
        Assert.Contains(error, status.Reason);
    }
}
