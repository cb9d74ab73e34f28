namespace Sluice.Api;

public sealed record WeightedDestination(Destination Destination, uint Weight);
