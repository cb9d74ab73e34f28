using Sluice.Api;
using Sluice.Plan;

namespace Sluice.Translation;

/// <summary>
/// A virtual service version that translated, whether it is the current one, the secrets and
/// files it was translated with, and which of those are last accepted contents, not current ones.
/// </summary>
internal sealed record Candidate(VirtualService Service, VirtualHostPlan Host, bool IsCurrent, ObjectInputs Inputs, IReadOnlyCollection<string> KeptRefs);
