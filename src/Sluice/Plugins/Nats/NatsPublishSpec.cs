using Microsoft.Extensions.Logging;
using Sluice.Api;
using Sluice.Plan;

namespace Sluice.Plugins.Nats;

/// <summary>
/// A NATS upstream compiled: how to connect, whether publishes go through JetStream, how long
/// an operation may take, and which HTTP headers travel as NATS headers. Compares by value, so
/// the connection survives reloads that leave the upstream unchanged.
/// </summary>
internal sealed record NatsPublishSpec(NatsClientOptions Client, bool JetStream, TimeSpan OpTimeout, ValueList<string> Headers) : IInvokerSpec
{
    public IInvoker CreateInvoker(InvokerServices services)
    {
        var connection = new NatsConnection(Client, services.LoggerFactory.CreateLogger<NatsConnection>());
        // Connect now, not on the first request, so the first publish does not pay for it.
        connection.Start();
        return new NatsPublisher(this, connection);
    }
}
