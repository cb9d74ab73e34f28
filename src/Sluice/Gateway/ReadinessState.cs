using Sluice.Storage;

namespace Sluice.Gateway;

/// <summary>
/// What <c>/readyz</c> answers besides "a plan is live": this process's role, who leads the
/// controllers, whether the store answers, and whether the process is draining for shutdown.
/// </summary>
internal sealed class ReadinessState(GatewayRole role, ILeadership leadership, IConfigStore store)
{
    private volatile bool _draining;

    public GatewayRole Role { get; } = role;

    public ILeadership Leadership { get; } = leadership;

    /// <summary>The store's own account of itself; null for a local store (a folder always answers).</summary>
    public StoreHealth? StoreHealth => (store as IStoreHealth)?.Health;

    /// <summary>Set first on shutdown, so load balancers stop sending before the listeners close.</summary>
    public bool Draining => _draining;

    public void StartDraining() => _draining = true;
}
