namespace Sluice.Plan;

/// <summary>
/// A response the gateway makes itself: status, a stable code for <c>x-sluice-error</c>, and a
/// short plain-text reason.
/// </summary>
public sealed record GatewayAnswer(int StatusCode, string Code, string Message);
