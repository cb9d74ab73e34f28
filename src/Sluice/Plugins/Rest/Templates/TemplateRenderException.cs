namespace Sluice.Plugins.Rest.Templates;

/// <summary>
/// A template could not be rendered for this request: a variable nobody supplied, a body that
/// had to be JSON and was not, a path the client's values would have changed, or a render over
/// its caps. Carries the stable <c>x-sluice-error</c> code and the status of the answer.
/// </summary>
internal sealed class TemplateRenderException(string code, string message) : Exception(message)
{
    public const string UndefinedCode = "template_error";

    public const string BadBodyCode = "bad_request_body";

    /// <summary>A rendered path with a '.' or '..' segment made of the request's values.</summary>
    public const string BadPathCode = "bad_path_value";

    /// <summary>The render went over its size or loop cap (413).</summary>
    public const string LimitCode = "template_too_large";

    public string Code { get; } = code;

    /// <summary>400, or 413 for <see cref="LimitCode"/>: the request's data asked for too much.</summary>
    public int Status => Code == LimitCode ? 413 : 400;
}
