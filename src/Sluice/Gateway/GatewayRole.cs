namespace Sluice.Gateway;

public enum GatewayRole
{
    /// <summary>Serve traffic and write statuses (one machine).</summary>
    All,

    /// <summary>Serve traffic only.</summary>
    Gateway,

    /// <summary>Write statuses only (and, in <c>sluice run</c>, run function discovery).</summary>
    Controller,
}
