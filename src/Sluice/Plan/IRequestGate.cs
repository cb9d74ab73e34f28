using Microsoft.AspNetCore.Http;

namespace Sluice.Plan;

/// <summary>
/// A check that runs before a virtual host's routes are matched, because matching depends on
/// what it reads: the CloudEvents gate (Plugins/Events) checks a request to <c>/events</c> and
/// reads a structured event's <c>type</c> for event routes. A route plugin adds its gate to the
/// routes that need it (<c>RouteBuilder.Gates</c>); a host runs each distinct gate of its routes
/// once per request, in the order their routes and plugins added them. Built once per plan and
/// shared, so it keeps no per-request state.
/// </summary>
public interface IRequestGate
{
    /// <summary>Cheap and synchronous: whether this request concerns the gate at all.</summary>
    bool Applies(HttpRequest request);

    /// <summary>Null when the request may go on to matching; otherwise the error that refuses it.</summary>
    ValueTask<SluiceError?> CheckAsync(HttpContext context);
}
