using Sluice.Api;

namespace Sluice.Translation;

/// <summary>
/// Reads function specs. Gloo's three-way contract: <see cref="FunctionSpecResult.NotMine"/>,
/// mine and invalid (<see cref="FunctionSpecResult.Invalid"/>), or accepted.
/// </summary>
public interface IFunctionPlugin : ITranslatorPlugin
{
    FunctionSpecResult ParseFunctionSpec(Upstream upstream, UpstreamFunction function, TranslationContext context);
}
