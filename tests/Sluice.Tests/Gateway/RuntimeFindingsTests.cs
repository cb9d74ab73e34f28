using Sluice.Api;
using Sluice.Gateway;
using Sluice.Translation;

namespace Sluice.Tests.Gateway;

/// <summary>
/// Run-time findings are merged into the translator's verdicts when statuses are written: an
/// upstream's Accepted becomes a Warning, a Warning keeps its reason first, a Rejected is left
/// alone, other upstreams and virtual services are untouched, and a cleared finding, or one of
/// a closed scope (a replaced model), is gone.
/// </summary>
public sealed class RuntimeFindingsTests
{
    private const string NoJetStream = "JetStream is not enabled on the server";

    [Theory]
    [InlineData(StatusState.Accepted, null, StatusState.Warning, NoJetStream)]
    [InlineData(StatusState.Warning, "spec.timout: unknown key", StatusState.Warning, "spec.timout: unknown key; " + NoJetStream)]
    [InlineData(StatusState.Rejected, "spec.hosts: is required", StatusState.Rejected, "spec.hosts: is required")]
    public void A_finding_is_merged_into_the_upstreams_verdict(StatusState state, string? reason, StatusState merged, string mergedReason)
    {
        var findings = new RuntimeFindings();
        findings.For("stan").Set(new object(), NoJetStream);

        var reports = findings.Merge(
        [
            new ObjectReport(ConfigKind.Upstream, "stan", new Status(state, reason)),
            new ObjectReport(ConfigKind.Upstream, "other", Status.Accepted),
            new ObjectReport(ConfigKind.VirtualService, "stan", Status.Accepted),
        ]);

        Assert.Equal(new Status(merged, mergedReason), reports[0].Status);
        Assert.Equal(Status.Accepted, reports[1].Status);
        Assert.Equal(Status.Accepted, reports[2].Status);
    }

    [Fact]
    public void Sources_report_apart_the_same_warning_is_said_once_and_clearing_says_changed()
    {
        var findings = new RuntimeFindings();
        var changes = 0;
        findings.Changed += () => changes++;
        var upstream = findings.For("stan");
        object first = new(), second = new();
        upstream.Set(first, NoJetStream);
        upstream.Set(second, NoJetStream);
        upstream.Set(second, NoJetStream);
        Assert.Equal(2, changes);
        IReadOnlyList<ObjectReport> reports = [new ObjectReport(ConfigKind.Upstream, "stan", Status.Accepted)];
        Assert.Equal(NoJetStream, findings.Merge(reports)[0].Status.Reason);

        upstream.Set(first, null);
        Assert.Equal(StatusState.Warning, findings.Merge(reports)[0].Status.State);
        upstream.Set(second, null);
        upstream.Set(second, null);
        Assert.Equal(4, changes);
        Assert.Same(reports, findings.Merge(reports));
    }

    [Fact]
    public void A_closed_scope_takes_its_findings_along_and_ignores_later_reports()
    {
        var findings = new RuntimeFindings();
        var replaced = findings.For("stan");
        var current = findings.For("stan");
        object connection = new();
        replaced.Set(connection, NoJetStream);
        IReadOnlyList<ObjectReport> reports = [new ObjectReport(ConfigKind.Upstream, "stan", Status.Accepted)];
        Assert.Equal(StatusState.Warning, findings.Merge(reports)[0].Status.State);

        findings.Close(replaced);
        replaced.Set(connection, NoJetStream);
        Assert.Same(reports, findings.Merge(reports));

        current.Set(connection, NoJetStream);
        Assert.Equal(NoJetStream, findings.Merge(reports)[0].Status.Reason);
    }
}
