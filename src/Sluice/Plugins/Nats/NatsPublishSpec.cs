using Microsoft.Extensions.Logging;
using Sluice.Api;
using Sluice.Plan;

namespace Sluice.Plugins.Nats;

/// <summary>
/// A NATS upstream compiled: how to connect, whether publishes go through JetStream, how long
/// an operation may take, and which HTTP headers travel as NATS headers. Compares by value, so
/// the connections survive reloads that leave the upstream's NATS settings unchanged.
/// </summary>
internal sealed record NatsPublishSpec(NatsClientOptions Client, bool JetStream, TimeSpan OpTimeout, ValueList<string> Headers) : IInvokerSpec
{
    /// <summary>Why a JetStream upstream cannot work on a server without JetStream: the upstream's status and the 503's text.</summary>
    public const string JetStreamUnavailableMessage =
        "JetStream is not enabled on the server; Gloo's NATS Streaming semantics need a stream: enable JetStream and add a stream, or set `jetstream: false` for core NATS";

    /// <summary>
    /// One connection per server, each pinned to its server: the servers are the cluster's
    /// endpoints, so the gateway's load balancing, retries and outlier detection choose among them
    /// as among HTTP endpoints. A connection reports whether it is up, so a server that cannot be
    /// reached is skipped (the client's own failover, done one level up).
    /// </summary>
    public IInvoker CreateInvoker(InvokerServices services)
    {
        var connections = new Dictionary<EndpointPlan, NatsServerConnection>();
        foreach (var server in Client.Servers)
        {
            var address = new EndpointPlan(server.Host, server.Port);
            if (connections.ContainsKey(address))
            {
                continue;
            }
            var reachability = services.Reachability;
            var connection = new NatsServerConnection(Client, server, services.LoggerFactory,
                connected => reachability.SetReachable(server.Host, server.Port, connected));
            // Connect now, not on the first request, so the first publish does not pay for it.
            connection.Start();
            connections[address] = connection;
        }
        return Publisher(connections, services);
    }

    /// <summary>The connections are kept while the connection settings are equal, whatever else (JetStream, op_timeout, headers) changed.</summary>
    public bool CanTakeOver(IInvokerSpec previous) => previous is NatsPublishSpec old && old.Client.Equals(Client);

    public IInvoker CreateInvoker(InvokerServices services, IInvoker previous) => Publisher(((NatsPublisher)previous).Connections, services);

    /// <summary>A publisher on the connections, which learn whether JetStream is expected now (a taken-over connection may have expected otherwise).</summary>
    private NatsPublisher Publisher(IReadOnlyDictionary<EndpointPlan, NatsServerConnection> connections, InvokerServices services)
    {
        foreach (var connection in connections.Values)
        {
            connection.ExpectJetStream(JetStream, services.Findings);
        }
        return new NatsPublisher(this, connections, services.LoggerFactory.CreateLogger<NatsPublisher>());
    }

    /// <summary>The servers as the cluster's endpoints (what load balancing and outlier detection see).</summary>
    public ValueList<EndpointPlan> Endpoints => new(Client.Servers.Select(s => new EndpointPlan(s.Host, s.Port)).Distinct().ToList());
}
