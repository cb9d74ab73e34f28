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
        var loadErrors = snapshot.LoadErrors
            .Where(e => e.ObjectName is not null && e.Kind is not null)
            .ToLookup(e => (e.Kind!.Value, e.ObjectName!));
        var reports = new List<ObjectReport>();
        var inputs = new Dictionary<(ConfigKind, string), ObjectInputs>();

        var served = new ServedUpstreams();
        var acceptedUpstreams = new Dictionary<string, Upstream>(StringComparer.Ordinal);
        foreach (var (name, written) in ByName(snapshot.Upstreams, loadErrors, ConfigKind.Upstream))
        {
            var key = (ConfigKind.Upstream, name);
            var diagnostics = LoadDiagnostics(loadErrors[key]);
            var upstream = written is null ? null : DiscoveredFunctions.Merge(written, snapshot.Discovered.GetValueOrDefault(name), diagnostics);
            var context = new TranslationContext(snapshot);
            var cluster = upstream is not null && !diagnostics.HasErrors ? _upstreams.Translate(upstream, context, diagnostics) : null;
            ReportUnreadable(context, diagnostics);
            var servedVersion = upstream;
            IReadOnlyCollection<string> kept = [];
            if (cluster is null && previous.AcceptedUpstreams.GetValueOrDefault(name) is { } last)
            {
                servedVersion = last;
                (cluster, context) = LastAccepted(snapshot, previous.AcceptedInputs.GetValueOrDefault(key), c => _upstreams.Translate(last, c, new Diagnostics()));
                kept = context.KeptRefs;
            }
            if (cluster is not null)
            {
                served.Clusters[name] = cluster;
                acceptedUpstreams[name] = servedVersion!;
                inputs[key] = context.Inputs;
            }
            else
            {
                served.Unavailable[name] = string.Join("; ", diagnostics.Errors);
            }
            reports.Add(Verdict(ConfigKind.Upstream, name, diagnostics, cluster is null ? null : servedVersion, kept, snapshot.Sources.GetValueOrDefault(key)));
        }

        var candidates = new Dictionary<string, Candidate>(StringComparer.Ordinal);
        var diagnosticsByService = new Dictionary<string, Diagnostics>(StringComparer.Ordinal);
        foreach (var (name, service) in ByName(snapshot.VirtualServices, loadErrors, ConfigKind.VirtualService))
        {
            var diagnostics = LoadDiagnostics(loadErrors[(ConfigKind.VirtualService, name)]);
            diagnosticsByService[name] = diagnostics;
            var context = new TranslationContext(snapshot);
            var host = service is not null && !diagnostics.HasErrors ? _virtualServices.Translate(service, served, context, diagnostics) : null;
            ReportUnreadable(context, diagnostics);
            if (host is not null)
            {
                candidates[name] = new Candidate(service!, host, IsCurrent: true, context.Inputs, []);
            }
            else if (Fallback(name, previous, served, snapshot) is { } fallback)
            {
                candidates[name] = fallback;
            }
        }

        var domainHolders = DomainResolver.Resolve(candidates, previous, served, snapshot, Fallback, diagnosticsByService);

        foreach (var (name, diagnostics) in diagnosticsByService)
        {
            var candidate = candidates.GetValueOrDefault(name);
            reports.Add(Verdict(ConfigKind.VirtualService, name, diagnostics, candidate?.Service, candidate?.KeptRefs ?? [], snapshot.Sources.GetValueOrDefault((ConfigKind.VirtualService, name))));
        }
        foreach (var (name, candidate) in candidates)
        {
            inputs[(ConfigKind.VirtualService, name)] = candidate.Inputs;
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
            AcceptedInputs = inputs,
        };
        return new TranslationResult(plan, reports, state);
    }

    /// <summary>The last accepted version of a virtual service, if it still translates.</summary>
    private Candidate? Fallback(string name, TranslationState previous, ServedUpstreams served, ConfigSnapshot snapshot)
    {
        if (!previous.AcceptedVirtualServices.TryGetValue(name, out var service))
        {
            return null;
        }
        var lastGood = previous.AcceptedInputs.GetValueOrDefault((ConfigKind.VirtualService, name));
        var (host, context) = LastAccepted(snapshot, lastGood, c => _virtualServices.Translate(service, served, c, new Diagnostics()));
        return host is null ? null : new Candidate(service, host, IsCurrent: false, context.Inputs, context.KeptRefs);
    }

    /// <summary>
    /// Translates a last accepted version: with the current secrets and files first (a rotated
    /// certificate takes effect even while the object's own update is refused), then, if that
    /// fails, with the contents it was accepted with, wherever those still exist.
    /// </summary>
    private static (T? Plan, TranslationContext Context) LastAccepted<T>(ConfigSnapshot snapshot, ObjectInputs? lastGood, Func<TranslationContext, T?> translate)
        where T : class
    {
        var context = new TranslationContext(snapshot);
        var plan = translate(context);
        if (plan is null && lastGood is not null)
        {
            context = new TranslationContext(snapshot, lastGood);
            plan = translate(context);
        }
        return (plan, context);
    }

    /// <summary>A secret that exists but does not parse is refused, not missing: say why.</summary>
    private static void ReportUnreadable(TranslationContext context, Diagnostics diagnostics)
    {
        foreach (var error in context.UnreadableSecrets)
        {
            diagnostics.Error(error);
        }
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

    /// <summary>
    /// "spec.hosts[0].port: must be…" becomes "upstreams/a.yaml:7:11: spec.hosts[0].port: must be…",
    /// like a parse error, when the store knows where the object is written (load errors have it).
    /// </summary>
    private static string Located(string error, ObjectSource? source)
    {
        if (source is null || error.StartsWith(source.File + ":", StringComparison.Ordinal))
        {
            return error;
        }
        var colon = error.IndexOf(": ", StringComparison.Ordinal);
        var field = colon > 0 && !error[..colon].Contains(' ', StringComparison.Ordinal) ? error[..colon] : null;
        return $"{source.Locate(field)}: {error}";
    }

    private static ObjectReport Verdict(ConfigKind kind, string name, Diagnostics diagnostics, IConfigObject? servedVersion, IReadOnlyCollection<string> keptRefs, ObjectSource? source)
    {
        if (diagnostics.HasErrors)
        {
            var reason = string.Join("; ", diagnostics.Errors.Select(e => Located(e, source)));
            reason += servedVersion is null
                ? "; nothing is served for it"
                : $"; the last accepted version (resource_version {servedVersion.Metadata.ResourceVersion ?? "unknown"}) keeps serving";
            if (servedVersion is not null && keptRefs.Count > 0)
            {
                reason += $", with the last accepted contents of {string.Join(", ", keptRefs.Select(r => $"'{r}'"))}";
            }
            return new ObjectReport(kind, name, new Status(StatusState.Rejected, reason));
        }
        return diagnostics.Warnings.Count > 0
            ? new ObjectReport(kind, name, new Status(StatusState.Warning, string.Join("; ", diagnostics.Warnings)))
            : new ObjectReport(kind, name, Status.Accepted);
    }
}
