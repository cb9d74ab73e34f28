namespace Sluice.Plan;

/// <summary>One address of a cluster: an IP or a DNS name, and a port.</summary>
public sealed record EndpointPlan(string Host, int Port);
