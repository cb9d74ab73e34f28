namespace Sluice.Api;

public sealed record UpstreamDestination(string Name);
