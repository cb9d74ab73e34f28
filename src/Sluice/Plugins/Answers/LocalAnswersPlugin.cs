using Sluice.Api;
using Sluice.Translation;

namespace Sluice.Plugins.Answers;

/// <summary>
/// Routes that answer by themselves: a <c>redirect</c> or a <c>direct_response</c> (validated by
/// the translator, which reads the route's core fields) becomes the route's action filter.
/// </summary>
internal sealed class LocalAnswersPlugin : IRoutePlugin
{
    public string Name => "answers";

    public IReadOnlyCollection<string> ExtensionKeys { get; } = [];

    public void ProcessRoute(Route route, RouteBuilder builder, TranslationContext context, Diagnostics diagnostics)
    {
        if (builder.Redirect is { } redirect && builder.Match is { } match)
        {
            builder.Filters.Add(new RedirectFilter(redirect, match));
        }
        else if (builder.DirectResponse is { } direct)
        {
            builder.Filters.Add(new DirectResponseFilter(direct));
        }
    }
}
