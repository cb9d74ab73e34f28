using Sluice.Api;
using Sluice.Plugins.Rest.Templates;

namespace Sluice.Plugins.Rest;

/// <summary>
/// A route's <c>response_transformation</c>: header templates (<c>:status</c> sets the status) and
/// a body template rendered from the upstream's response, with <c>response_params</c> as sources.
/// </summary>
internal sealed record ResponseTransformation(ValueList<HeaderTemplate> Headers, Template? Body, bool RemoveBody, ParameterSet? Parameters, long MaxBodyBytes)
{
    /// <summary>True when a template reads a variable, so the upstream's body must be read first.</summary>
    public bool ReadsVariables => Body is { Variables.Count: > 0 } || Headers.Any(h => h.Value.Variables.Count > 0);
}
