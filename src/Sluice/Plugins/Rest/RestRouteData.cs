namespace Sluice.Plugins.Rest;

/// <summary>What the REST route plugin compiled for one route, read by <see cref="RestInvoker"/> per request.</summary>
internal sealed record RestRouteData(ParameterSet? Parameters, ResponseTransformation? Response);
