using Sluice.Plan;

namespace Sluice.Plugins.Rest.Templates;

/// <summary>
/// A template could not be rendered for this request: a variable nobody supplied, or a body that
/// had to be JSON and was not. Carries the stable <c>x-sluice-error</c> code for the 400.
/// </summary>
internal sealed class TemplateRenderException(SluiceErrorCode code, string message) : Exception(message)
{
    public const SluiceErrorCode UndefinedCode = SluiceErrorCode.TemplateError;

    public const SluiceErrorCode BadBodyCode = SluiceErrorCode.BadRequestBody;

    public SluiceErrorCode Code { get; } = code;
}
