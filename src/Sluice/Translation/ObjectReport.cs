using Sluice.Api;

namespace Sluice.Translation;

/// <summary>The verdict on one object, as the reporter writes it.</summary>
public sealed record ObjectReport(ConfigKind Kind, string Name, Status Status);
