using Sluice.Api;

namespace Sluice.Translation;

/// <summary>
/// Reads its own keys from a route's <c>extensions</c> (one flat map shared by all route plugins)
/// and sets what they mean on the route being built.
/// </summary>
public interface IRoutePlugin : ITranslatorPlugin
{
    /// <summary>The <c>extensions</c> keys this plugin reads; a key no plugin claims is a warning.</summary>
    IReadOnlyCollection<string> ExtensionKeys { get; }

    void ProcessRoute(Route route, RouteBuilder builder, TranslationContext context, Diagnostics diagnostics);
}
