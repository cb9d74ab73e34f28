using Sluice.Api;
using Sluice.Plan;
using Sluice.Storage;

namespace Sluice.Translation;

/// <summary>
/// Snapshot in, plan and one verdict per object out: a pure function of the snapshot and the
/// previous run's <see cref="TranslationState"/>, with no I/O and no clock. Each object is judged
/// alone; a rejected object's last accepted version keeps serving, and its status says so.
/// </summary>
public sealed class Translator(PluginRegistry plugins)
{
    private readonly UpstreamTranslator _upstreams = new(plugins);
    private readonly VirtualServiceTranslator _virtualServices = new(plugins);

    public TranslationResult Translate(ConfigSnapshot snapshot, TranslationState previous)
    {
        var context = new TranslationContext(snapshot);
        var loadErrors = snapshot.LoadErrors
            .Where(e => e.ObjectName is not null && e.Kind is not null)
            .ToLookup(e => (e.Kind!.Value, e.ObjectName!));
        var reports = new List<ObjectReport>();

        var served = new ServedUpstreams();
        var acceptedUpstreams = new Dictionary<string, Upstream>(StringComparer.Ordinal);
        foreach (var (name, written) in ByName(snapshot.Upstreams, loadErrors, ConfigKind.Upstream))
        {
            var diagnostics = LoadDiagnostics(loadErrors[(ConfigKind.Upstream, name)]);
            var upstream = written is null ? null : DiscoveredFunctions.Merge(written, snapshot.Discovered.GetValueOrDefault(name), diagnostics);
            var cluster = upstream is not null && !diagnostics.HasErrors ? _upstreams.Translate(upstream, context, diagnostics) : null;
            var servedVersion = upstream;
            if (cluster is null)
            {
                servedVersion = previous.AcceptedUpstreams.GetValueOrDefault(name);
                cluster = servedVersion is null ? null : _upstreams.Translate(servedVersion, context, new Diagnostics());
            }
            if (cluster is not null)
            {
                served.Clusters[name] = cluster;
                acceptedUpstreams[name] = servedVersion!;
            }
            else
            {
                served.Unavailable[name] = string.Join("; ", diagnostics.Errors);
            }
            reports.Add(Verdict(ConfigKind.Upstream, name, diagnostics, cluster is null ? null : servedVersion));
        }

        var candidates = new Dictionary<string, Candidate>(StringComparer.Ordinal);
        var diagnosticsByService = new Dictionary<string, Diagnostics>(StringComparer.Ordinal);
        foreach (var (name, service) in ByName(snapshot.VirtualServices, loadErrors, ConfigKind.VirtualService))
        {
            var diagnostics = LoadDiagnostics(loadErrors[(ConfigKind.VirtualService, name)]);
            diagnosticsByService[name] = diagnostics;
            var host = service is not null && !diagnostics.HasErrors ? _virtualServices.Translate(service, served, context, diagnostics) : null;
            if (host is not null)
            {
                candidates[name] = new Candidate(service!, host, IsCurrent: true);
            }
            else if (Fallback(name, previous, served, context) is { } fallback)
            {
                candidates[name] = fallback;
            }
        }

        var domainHolders = DomainResolver.Resolve(candidates, previous, served, context, Fallback, diagnosticsByService);

        foreach (var (name, diagnostics) in diagnosticsByService)
        {
            reports.Add(Verdict(ConfigKind.VirtualService, name, diagnostics, candidates.GetValueOrDefault(name)?.Service));
        }

        var plan = new ProxyPlan
        {
            VirtualHosts = new(candidates.Values.Select(c => c.Host).OrderBy(h => h.Name, StringComparer.Ordinal)),
            Clusters = new(served.Clusters.Values.OrderBy(c => c.Name, StringComparer.Ordinal)),
        };
        var state = new TranslationState
        {
            AcceptedUpstreams = acceptedUpstreams,
            AcceptedVirtualServices = candidates.ToDictionary(c => c.Key, c => c.Value.Service, StringComparer.Ordinal),
            DomainHolders = domainHolders,
        };
        return new TranslationResult(plan, reports, state);
    }

    /// <summary>The last accepted version of a virtual service, if it still translates.</summary>
    private Candidate? Fallback(string name, TranslationState previous, ServedUpstreams served, TranslationContext context)
    {
        if (!previous.AcceptedVirtualServices.TryGetValue(name, out var service))
        {
            return null;
        }
        var host = _virtualServices.Translate(service, served, context, new Diagnostics());
        return host is null ? null : new Candidate(service, host, IsCurrent: false);
    }

    /// <summary>
    /// Every name the snapshot knows, in order: objects that loaded, and objects that failed to
    /// load (they have no current version, but may have a last accepted one).
    /// </summary>
    private static IEnumerable<(string Name, T? Object)> ByName<T>(ValueList<T> objects, ILookup<(ConfigKind, string), ConfigError> loadErrors, ConfigKind kind)
        where T : class, IConfigObject
    {
        var byName = objects.ToDictionary(o => o.Name, StringComparer.Ordinal);
        var names = byName.Keys.Concat(loadErrors.Where(g => g.Key.Item1 == kind).Select(g => g.Key.Item2));
        return names.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Select(n => (n, byName.GetValueOrDefault(n)));
    }

    private static Diagnostics LoadDiagnostics(IEnumerable<ConfigError> errors)
    {
        var diagnostics = new Diagnostics();
        foreach (var error in errors)
        {
            // The object itself is named by the report; keep where and what.
            diagnostics.Error((error with { Kind = null, ObjectName = null }).ToString());
        }
        return diagnostics;
    }

    private static ObjectReport Verdict(ConfigKind kind, string name, Diagnostics diagnostics, IConfigObject? servedVersion)
    {
        if (diagnostics.HasErrors)
        {
            var reason = string.Join("; ", diagnostics.Errors);
            reason += servedVersion is null
                ? "; nothing is served for it"
                : $"; the last accepted version (resource_version {servedVersion.Metadata.ResourceVersion ?? "unknown"}) keeps serving";
            return new ObjectReport(kind, name, new Status(StatusState.Rejected, reason));
        }
        return diagnostics.Warnings.Count > 0
            ? new ObjectReport(kind, name, new Status(StatusState.Warning, string.Join("; ", diagnostics.Warnings)))
            : new ObjectReport(kind, name, Status.Accepted);
    }
}
