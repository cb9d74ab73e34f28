using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Sluice.Api;
using Sluice.Api.Codec;
using Sluice.Storage;

namespace Sluice.Consul;

/// <summary>
/// Upstream discovery from the Consul catalog (<c>--discovery-upstreams consul</c>), as Gloo's
/// did it: a client of the store that follows <c>/v1/catalog/services</c> with blocking queries
/// and keeps one <c>type: consul</c> upstream per service, named after the service, marked with
/// Gloo's annotation <c>generated_by: consul-upstream-discovery</c>. Only marked upstreams are
/// ever changed: a user's upstream of the same name wins and is left alone; a marked one gets
/// its <c>spec</c> replaced (everything else a user or function discovery added stays) and is
/// deleted when its service leaves the catalog. Writes happen only while this process leads,
/// and only where the store differs from the catalog, so an unchanged catalog writes nothing.
/// </summary>
public sealed partial class ConsulUpstreamDiscovery : IDisposable
{
    /// <summary>Gloo's ownership annotation and the value its Consul discovery wrote.</summary>
    public const string OwnerAnnotation = "generated_by";
    public const string Owner = "consul-upstream-discovery";

    private readonly IConfigStore _store;
    private readonly ConsulOptions _options;
    private readonly ILeadership _leadership;
    private readonly ILogger _logger;
    private readonly ConsulClient _client;

    public ConsulUpstreamDiscovery(IConfigStore store, ConsulOptions options, ILeadership leadership, ILogger<ConsulUpstreamDiscovery> logger)
    {
        _store = store;
        _options = options;
        _leadership = leadership;
        _logger = logger;
        _client = new ConsulClient(options);
    }

    /// <summary>
    /// Follows the catalog until cancelled. Every answer (a change, or a wait that ran out) is
    /// compared with the store, so a process that becomes leader, or a write that failed,
    /// catches up within one <see cref="ConsulOptions.Wait"/>.
    /// </summary>
    public Task RunAsync(CancellationToken cancellationToken) =>
        BlockingQuery.RunAsync("the Consul catalog", (index, token) => _client.ServicesAsync(null, index, token), SyncAsync, _options, _logger, cancellationToken);

    /// <summary>Makes the store's marked upstreams match <paramref name="services"/>; returns without writing when not leading.</summary>
    private async Task SyncAsync(ValueList<string> services, CancellationToken cancellationToken)
    {
        if (!_leadership.IsLeader)
        {
            return;
        }
        try
        {
            var desired = Desired(services);
            var existing = (await _store.LoadAsync(cancellationToken).ConfigureAwait(false)).Upstreams.ToDictionary(u => u.Name, StringComparer.Ordinal);
            foreach (var upstream in desired.Values)
            {
                if (!existing.TryGetValue(upstream.Name, out var current))
                {
                    await CreateAsync(upstream, cancellationToken).ConfigureAwait(false);
                }
                else if (IsOwned(current) && !current.Spec.Equals(upstream.Spec))
                {
                    await _store.UpdateAsync(current with { Spec = upstream.Spec }, cancellationToken).ConfigureAwait(false);
                }
            }
            foreach (var stale in existing.Values.Where(u => IsOwned(u) && !desired.ContainsKey(u.Name)))
            {
                await DeleteAsync(stale.Name, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // Whatever the store throws (another writer moved an object, the store is
            // unreachable, a deposed leader's write was fenced off), discovery keeps running:
            // the next catalog answer compares again.
            Log.SyncFailed(_logger, e.Message);
        }
    }

    private async Task CreateAsync(Upstream upstream, CancellationToken cancellationToken)
    {
        try
        {
            await _store.CreateAsync(upstream, cancellationToken).ConfigureAwait(false);
            Log.Discovered(_logger, upstream.Name);
        }
        catch (StoreConflictException)
        {
            // Created meanwhile (by a user or a previous leader): the next pass judges it.
        }
    }

    private async Task DeleteAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            await _store.DeleteAsync(ConfigKind.Upstream, name, cancellationToken).ConfigureAwait(false);
            Log.Removed(_logger, name);
        }
        catch (StoreNotFoundException)
        {
            // Already gone.
        }
    }

    private static bool IsOwned(Upstream upstream) =>
        upstream.Metadata.Annotations.TryGetValue(OwnerAnnotation, out var owner) && owner == Owner;

    /// <summary>One upstream per service; Consul's own <c>consul</c> service is not one to route to.</summary>
    private static Dictionary<string, Upstream> Desired(IEnumerable<string> services)
    {
        var desired = new Dictionary<string, Upstream>(StringComparer.Ordinal);
        foreach (var service in services.Where(s => s != "consul").Order(StringComparer.Ordinal))
        {
            if (UpstreamName(service) is not { } name || desired.ContainsKey(name))
            {
                // Two services that only differ in what a name cannot hold (case, '_'): the first keeps it.
                continue;
            }
            desired[name] = new Upstream
            {
                Name = name,
                Type = "consul",
                Spec = new Struct(JsonSerializer.SerializeToElement(new Dictionary<string, string> { ["service_name"] = service })),
                Metadata = new Metadata { Annotations = new ValueMap([new(OwnerAnnotation, Owner)]) },
            };
        }
        return desired;
    }

    /// <summary>
    /// Gloo named a service's upstream after the service. Consul allows names an object name
    /// cannot hold (capitals, '_'), so those are lowercased and other characters become '-';
    /// a service whose name still does not make a valid name gets no upstream.
    /// </summary>
    internal static string? UpstreamName(string service)
    {
        var name = new StringBuilder(service.Length);
        foreach (var c in service.ToLowerInvariant())
        {
            name.Append(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '.' ? c : '-');
        }
        var text = name.ToString().Trim('-', '.');
        return ObjectNames.IsValid(text) ? text : null;
    }

    public void Dispose() => _client.Dispose();

    private static partial class Log
    {
        [LoggerMessage(EventId = ConsulEventIds.UpstreamDiscovered, Level = LogLevel.Information, Message = "Consul discovery: created upstream {Name}")]
        public static partial void Discovered(ILogger logger, string name);

        [LoggerMessage(EventId = ConsulEventIds.UpstreamRemoved, Level = LogLevel.Information, Message = "Consul discovery: removed upstream {Name}, whose service left the catalog")]
        public static partial void Removed(ILogger logger, string name);

        [LoggerMessage(EventId = ConsulEventIds.SyncFailed, Level = LogLevel.Warning, Message = "Consul discovery could not update the store ({Reason}); trying again on the next catalog answer")]
        public static partial void SyncFailed(ILogger logger, string reason);
    }
}
