using Sluice.Api;
using Sluice.Plan;

namespace Sluice.Gateway.Endpoints;

/// <summary>Where an <see cref="IEndpointSource"/> delivers a subscribed upstream's endpoints.</summary>
public interface IEndpointSink
{
    /// <summary>
    /// The complete list of endpoints that may take new requests now (the ready ones). Each call
    /// replaces the last; an endpoint left out gets no new requests while those already sent to it
    /// finish (drained, not cut). An empty list makes the upstream answer 503. Cheap when nothing
    /// changed; safe from any thread.
    /// </summary>
    void Publish(ValueList<EndpointPlan> endpoints);
}
