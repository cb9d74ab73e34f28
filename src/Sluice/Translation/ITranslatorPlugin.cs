namespace Sluice.Translation;

/// <summary>
/// The small base every plugin shares (Gloo's <c>TranslatorPlugin</c>). What a plugin does is told
/// by the capability interfaces it also implements: <see cref="IUpstreamPlugin"/>,
/// <see cref="IFunctionPlugin"/>, <see cref="IRoutePlugin"/>.
/// </summary>
public interface ITranslatorPlugin
{
    /// <summary>Short name for messages, e.g. "static".</summary>
    string Name { get; }
}
