namespace Sluice.Plan;

/// <summary>
/// Where an upstream's endpoints come from at run time, when not from its config: a Kubernetes
/// service port, a Consul service. It is plan data and must compare by value (a record): the
/// gateway keeps one subscription per cluster for as long as its spec stays equal, and endpoint
/// changes then reach the running cluster without a new translation.
/// </summary>
public interface IEndpointFeedSpec
{
    /// <summary>What is watched, for logs and errors ("service default/pets port 8080").</summary>
    string Describe();
}
