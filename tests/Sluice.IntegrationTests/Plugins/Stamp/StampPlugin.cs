using Sluice.Api;
using Sluice.Translation;

namespace Sluice.IntegrationTests.Plugins.Stamp;

/// <summary>
/// A per-request filter plugin written only here, to prove the pipeline seam: route extension
/// <c>stamp: { header, value, deny_header }</c> adds a request header in the request stage and
/// turns away requests carrying <c>deny_header</c> in the admission stage. It needs no edit
/// outside this folder, and one line to register (see <see cref="StampPluginTests"/>).
/// </summary>
internal sealed class StampPlugin : IRoutePlugin
{
    private const string Key = "stamp";

    public string Name => "stamp";

    public IReadOnlyCollection<string> ExtensionKeys { get; } = [Key];

    public void ProcessRoute(Route route, RouteBuilder builder, TranslationContext context, Diagnostics diagnostics)
    {
        var options = new SpecReader(route.Extensions, "extensions", diagnostics).Object(Key);
        if (options is null)
        {
            return;
        }
        var header = options.String("header");
        var value = options.String("value") ?? "";
        var denyHeader = options.String("deny_header");
        options.WarnUnknownKeys();
        if (header is null)
        {
            diagnostics.Error($"extensions.{Key}.header", "required: the header to add");
            return;
        }
        // Added in request order on purpose: the pipeline runs them by stage, admission first.
        builder.Filters.Add(new StampFilter(header, value));
        if (denyHeader is not null)
        {
            builder.Filters.Add(new DenyFilter(denyHeader));
        }
    }
}
