namespace Sluice.Plugins.Rest;

/// <summary>One <c>parameters.headers</c> entry: a header (or <c>:path</c>, <c>:method</c>, <c>:authority</c>) and its pattern.</summary>
internal sealed record HeaderParameter(string Name, ParameterPattern Pattern);
