namespace Sluice.Api;

public sealed record FunctionDestination(string UpstreamName, string FunctionName);
