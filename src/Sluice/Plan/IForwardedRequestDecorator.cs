using Microsoft.AspNetCore.Http;

namespace Sluice.Plan;

/// <summary>
/// Route plugin data (in <see cref="RoutePlan.Data"/>) that changes each forwarded request
/// with values made per request, where static <see cref="RoutePlan.AddRequestHeaders"/> cannot
/// (e.g. a CloudEvent's id and time). Applied after the route's own changes, on every attempt.
/// </summary>
public interface IForwardedRequestDecorator
{
    void Decorate(HttpContext context, HttpRequestMessage proxyRequest);
}
