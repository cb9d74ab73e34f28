namespace Sluice.Plugins.Rest.Templates;

/// <summary>
/// A template could not be rendered for this request: a variable nobody supplied, or a body that
/// had to be JSON and was not. Carries the stable <c>x-sluice-error</c> code for the 400.
/// </summary>
internal sealed class TemplateRenderException(string code, string message) : Exception(message)
{
    public const string UndefinedCode = "template_error";

    public const string BadBodyCode = "bad_request_body";

    public string Code { get; } = code;
}
