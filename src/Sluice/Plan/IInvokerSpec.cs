namespace Sluice.Plan;

/// <summary>
/// How a plugin serves requests other than by plain forwarding (invoking a Lambda, rendering a
/// REST function, publishing to NATS), compiled once per config change. It is plan data: it must
/// compare by value (a record), because the gateway keeps the live invoker, and any connection it
/// holds, for as long as its spec stays equal.
/// </summary>
public interface IInvokerSpec
{
    /// <summary>Creates the live invoker; called once per cluster model, never per request.</summary>
    IInvoker CreateInvoker(InvokerServices services);

    /// <summary>
    /// Whether this spec, unequal to <paramref name="previous"/> (the same upstream's or function's
    /// spec under the last plan), can take over part of its live invoker: a NATS connection whose
    /// connection settings did not change when only the publish settings did. When true, the
    /// gateway calls <see cref="CreateInvoker(InvokerServices, IInvoker)"/> and no longer disposes
    /// the previous invoker: what it held now belongs to the new one.
    /// </summary>
    bool CanTakeOver(IInvokerSpec previous) => false;

    /// <summary>Creates the live invoker from what <paramref name="previous"/> holds (see <see cref="CanTakeOver"/>).</summary>
    IInvoker CreateInvoker(InvokerServices services, IInvoker previous) => CreateInvoker(services);
}
