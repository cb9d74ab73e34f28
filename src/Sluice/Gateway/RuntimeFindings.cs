using Sluice.Api;
using Sluice.Plan;
using Sluice.Translation;

namespace Sluice.Gateway;

/// <summary>
/// The run-time warnings of every upstream, by upstream and source. The translator stays pure:
/// its verdicts are merged with these when statuses are written (<see cref="Merge"/>), and a
/// change here asks for the statuses to be written again (<see cref="Changed"/>).
/// </summary>
internal sealed class RuntimeFindings
{
    private readonly Dictionary<string, Dictionary<object, string>> _byUpstream = new(StringComparer.Ordinal);

    /// <summary>Raised after a warning appeared, changed or cleared; on the reporting thread.</summary>
    public event Action? Changed;

    /// <summary>The findings of one upstream, for its invokers.</summary>
    public IRuntimeFindings For(string upstream) => new UpstreamFindings(this, upstream);

    /// <summary>
    /// The verdicts with each upstream's run-time warnings added: an Accepted upstream becomes a
    /// Warning, a Warning gets the findings after its own reason; a Rejected one is left alone.
    /// </summary>
    public IReadOnlyList<ObjectReport> Merge(IReadOnlyList<ObjectReport> reports)
    {
        lock (_byUpstream)
        {
            if (_byUpstream.Count == 0)
            {
                return reports;
            }
            return reports.Select(report =>
                report.Kind == ConfigKind.Upstream && report.Status.State is StatusState.Accepted or StatusState.Warning
                && _byUpstream.TryGetValue(report.Name, out var found)
                    ? report with { Status = new Status(StatusState.Warning, string.Join("; ", new[] { report.Status.Reason }.Concat(found.Values.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)).Where(r => !string.IsNullOrEmpty(r)))) }
                    : report).ToList();
        }
    }

    private void Set(string upstream, object source, string? warning)
    {
        lock (_byUpstream)
        {
            var found = _byUpstream.GetValueOrDefault(upstream);
            if (warning is null)
            {
                if (found is null || !found.Remove(source))
                {
                    return;
                }
                if (found.Count == 0)
                {
                    _byUpstream.Remove(upstream);
                }
            }
            else
            {
                if (found is null)
                {
                    _byUpstream[upstream] = found = new(ReferenceEqualityComparer.Instance);
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

    private sealed class UpstreamFindings(RuntimeFindings owner, string upstream) : IRuntimeFindings
    {
        public void Set(object source, string? warning) => owner.Set(upstream, source, warning);
    }
}
