using Sluice.Api;
using Sluice.Plan;

namespace Sluice.Translation;

/// <summary>A virtual service version that translated, and whether it is the current one.</summary>
internal sealed record Candidate(VirtualService Service, VirtualHostPlan Host, bool IsCurrent);
