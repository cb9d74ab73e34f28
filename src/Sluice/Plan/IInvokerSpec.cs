namespace Sluice.Plan;

/// <summary>
/// How a plugin serves requests other than by plain forwarding (invoking a Lambda, rendering a
/// REST function, publishing to NATS), compiled once per config change. It is plan data: it must
/// compare by value (a record), because the gateway keeps the live invoker, and any connection it
/// holds, for as long as its spec stays equal.
/// </summary>
public interface IInvokerSpec
{
    /// <summary>Creates the live invoker; called once per cluster state, never per request.</summary>
    IInvoker CreateInvoker(InvokerServices services);
}
