using Sluice.Storage;
using Sluice.Translation;

namespace Sluice.Gateway;

/// <summary>What the admin API shows: the last snapshot, its translation, and when it went live.</summary>
internal sealed record ConfigView(ConfigSnapshot Snapshot, TranslationResult Result, DateTimeOffset AppliedAt);
