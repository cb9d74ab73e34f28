using Sluice.Plan;

namespace Sluice.Plugins.Rest.Templates;

/// <summary>
/// A template could not be rendered for this request: a variable nobody supplied, a body that
/// had to be JSON and was not, a path the client's values would have changed, or a render over
/// its caps. Carries the stable <c>x-sluice-error</c> code and the status of the answer.
/// </summary>
internal sealed class TemplateRenderException(SluiceErrorCode code, string message) : Exception(message)
{
    public const SluiceErrorCode UndefinedCode = SluiceErrorCode.TemplateError;

    public const SluiceErrorCode BadBodyCode = SluiceErrorCode.BadRequestBody;

    /// <summary>A rendered path with a '.' or '..' segment made of the request's values.</summary>
    public const SluiceErrorCode BadPathCode = SluiceErrorCode.BadPathValue;

    /// <summary>The render went over its size or loop cap (413 on the request side).</summary>
    public const SluiceErrorCode LimitCode = SluiceErrorCode.TemplateTooLarge;

    public SluiceErrorCode Code { get; } = code;
}
