using Sluice.Plan;

namespace Sluice.Translation;

/// <summary>The plan to serve, one verdict per object, and the memory the next run needs.</summary>
public sealed record TranslationResult(ProxyPlan Plan, IReadOnlyList<ObjectReport> Reports, TranslationState State);
