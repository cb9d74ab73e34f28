using Microsoft.AspNetCore.Http;
using Sluice.Plan;
using Sluice.Plugins.Answers;
using Sluice.Telemetry;

namespace Sluice.Gateway;

/// <summary>
/// The data plane's entry: finds the virtual host, finds the first matching route, and runs that
/// route's pipeline; a <see cref="SluiceError"/> left on the request is answered at the end.
/// Everything it reads was prepared when the plan was bound.
/// </summary>
internal sealed class ProxyMiddleware(PlanHolder plans, ProxyServices services, ErrorResponder errors)
{
    /// <summary>One telemetry scope per request: started here, completed when the response has ended.</summary>
    public async Task InvokeAsync(HttpContext context)
    {
        var telemetry = services.Telemetry;
        var scope = telemetry.Start(context);
        var failed = true;
        try
        {
            await RouteAsync(context, scope);
            if (context.Features.Get<ISluiceErrorFeature>() is { } error)
            {
                await errors.AnswerAsync(context, error);
            }
            failed = false;
        }
        finally
        {
            telemetry.Complete(context, scope, failed);
        }
    }

    private ValueTask RouteAsync(HttpContext context, RequestTelemetry scope)
    {
        var plan = plans.Current;
        var request = context.Request;
        var host = (request.IsHttps ? plan.TlsHosts : plan.Hosts).Find(request.Host.Value.AsSpan());
        if (host is null)
        {
            SluiceErrorFeature.Set(context, SluiceErrorCode.NoVirtualService, $"no virtual service serves host '{request.Host.Value}'");
            return ValueTask.CompletedTask;
        }
        scope.Labels = host.Labels;

        if (request.IsHttps)
        {
            // SNI chose the certificate and the client-certificate check; Host chose this host.
            // Served only when both agree, or a client could reach an mTLS host over a
            // connection that never presented a certificate (RFC 9110 §15.5.20).
            if (!ReferenceEquals(context.Features.Get<TlsScope>(), host.TlsScope))
            {
                SluiceErrorFeature.Set(context, SluiceErrorCode.MisdirectedRequest, $"this connection's TLS session does not serve host '{request.Host.Value}'; open a new connection for it");
                return ValueTask.CompletedTask;
            }
        }
        else if (host.Plan.Tls is not null)
        {
            // Envoy's require_tls: the client is sent to HTTPS; nothing is served in the clear.
            Redirects.WriteToHttps(context, services.HttpsPort);
            return ValueTask.CompletedTask;
        }

        var gates = host.Gates;
        for (var i = 0; i < gates.Length; i++)
        {
            if (gates[i].Applies(request))
            {
                return GateThenMatchAsync(context, host, scope, i);
            }
        }
        return MatchAndRunAsync(context, host, scope);
    }

    /// <summary>The host's gates that apply, from <paramref name="first"/> on, before its routes match (e.g. a CloudEvent is checked, a structured one read).</summary>
    private async ValueTask GateThenMatchAsync(HttpContext context, VirtualHostState host, RequestTelemetry scope, int first)
    {
        var gates = host.Gates;
        for (var i = first; i < gates.Length; i++)
        {
            if (gates[i].Applies(context.Request) && await gates[i].CheckAsync(context) is { } refused)
            {
                SluiceErrorFeature.Set(context, refused);
                return;
            }
        }
        await MatchAndRunAsync(context, host, scope);
    }

    private ValueTask MatchAndRunAsync(HttpContext context, VirtualHostState host, RequestTelemetry scope)
    {
        var request = context.Request;
        var isPreflight = RouteMatcher.IsPreflight(request);
        var matched = host.Index.FirstMatch(request, isPreflight);
        if (matched >= 0)
        {
            var route = host.Routes[matched];
            scope.Labels = route.Labels;
            return route.Pipeline.RunAsync(RouteRequest.Start(context, route, scope, services, isPreflight));
        }
        SluiceErrorFeature.Set(context, SluiceErrorCode.NoRoute, $"no route of virtual service '{host.Plan.Name}' matches {request.Method} {request.Path}");
        return ValueTask.CompletedTask;
    }
}
