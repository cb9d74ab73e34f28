using Microsoft.AspNetCore.Http;

namespace Sluice.Plan;

/// <summary>
/// A route filter that changes each request forwarded upstream over HTTP (added headers, a
/// CloudEvent's id and time): applied after the route's own rewrite, on every attempt.
/// </summary>
public interface IForwardedRequestDecorator
{
    void Decorate(HttpContext context, HttpRequestMessage proxyRequest);
}
