using Sluice.Api;
using Sluice.Plan;
using Sluice.Translation;

namespace Sluice.Gateway;

/// <summary>
/// The run-time warnings of every upstream, by the cluster model that learned them. The
/// translator stays pure: its verdicts are merged with these when statuses are written
/// (<see cref="Merge"/>), and a change here asks for the statuses to be written again
/// (<see cref="Changed"/>). A replaced model's findings go with it (<see cref="Close"/>): what
/// a connection no longer serving said is no longer true of the upstream, and a connection taken
/// over by the next model says it again there.
/// </summary>
internal sealed class RuntimeFindings
{
    private readonly Dictionary<Scope, Dictionary<object, string>> _byScope = new(ReferenceEqualityComparer.Instance);

    /// <summary>Raised after a warning appeared, changed or cleared; on the reporting thread.</summary>
    public event Action? Changed;

    /// <summary>A new scope for one model of <paramref name="upstream"/>, for its invokers.</summary>
    public IRuntimeFindings For(string upstream) => new Scope(this, upstream);

    /// <summary>Forgets what <paramref name="scope"/> reported; later reports to it are ignored.</summary>
    public void Close(IRuntimeFindings scope)
    {
        bool removed;
        lock (_byScope)
        {
            ((Scope)scope).Closed = true;
            removed = _byScope.Remove((Scope)scope);
        }
        if (removed)
        {
            Changed?.Invoke();
        }
    }

    /// <summary>
    /// The verdicts with each upstream's run-time warnings added: an Accepted upstream becomes a
    /// Warning, a Warning gets the findings after its own reason; a Rejected one is left alone.
    /// </summary>
    public IReadOnlyList<ObjectReport> Merge(IReadOnlyList<ObjectReport> reports)
    {
        lock (_byScope)
        {
            if (_byScope.Count == 0)
            {
                return reports;
            }
            var byUpstream = _byScope.GroupBy(s => s.Key.Upstream, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.SelectMany(s => s.Value.Values).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList(), StringComparer.Ordinal);
            return reports.Select(report =>
                report.Kind == ConfigKind.Upstream && report.Status.State is StatusState.Accepted or StatusState.Warning
                && byUpstream.TryGetValue(report.Name, out var found)
                    ? report with { Status = new Status(StatusState.Warning, string.Join("; ", found.Prepend(report.Status.Reason).Where(r => !string.IsNullOrEmpty(r)))) }
                    : report).ToList();
        }
    }

    private void Set(Scope scope, object source, string? warning)
    {
        lock (_byScope)
        {
            if (scope.Closed)
            {
                return;
            }
            var found = _byScope.GetValueOrDefault(scope);
            if (warning is null)
            {
                if (found is null || !found.Remove(source))
                {
                    return;
                }
                if (found.Count == 0)
                {
                    _byScope.Remove(scope);
                }
            }
            else
            {
                if (found is null)
                {
                    _byScope[scope] = found = new(ReferenceEqualityComparer.Instance);
                }
                if (found.TryGetValue(source, out var previous) && previous == warning)
                {
                    return;
                }
                found[source] = warning;
            }
        }
        Changed?.Invoke();
    }

    private sealed class Scope(RuntimeFindings owner, string upstream) : IRuntimeFindings
    {
        public string Upstream { get; } = upstream;

        /// <summary>Guarded by the owner's lock.</summary>
        public bool Closed { get; set; }

        public void Set(object source, string? warning) => owner.Set(this, source, warning);
    }
}
