using Microsoft.AspNetCore.Http;
using Sluice.Plan;

namespace Sluice.Plugins.Events;

/// <summary>
/// The gate of hosts with event routes (<c>event_matcher</c>): a request to <c>/events</c> is
/// checked as a CloudEvent (and a structured one read, for its type) before routes match it.
/// One instance: a host with several event routes runs it once.
/// </summary>
internal sealed class CloudEventGate : IRequestGate
{
    public static readonly CloudEventGate Instance = new();

    private CloudEventGate()
    {
    }

    public bool Applies(HttpRequest request) => request.Path.Value == CloudEventRequests.EventsPath;

    public ValueTask<SluiceError?> CheckAsync(HttpContext context) => CloudEventRequests.CheckAsync(context);
}
