using Sluice.Api;

namespace Sluice.Storage;

/// <summary>
/// What the store keeps about one object beside the user's files: its version, the hash of
/// the content that version stands for, the file it was last read from, and its verdict.
/// </summary>
/// <param name="Source">
/// File (relative to the config folder) the object came from at its last good read. When that
/// file stops parsing, this is how the store still knows which objects it held.
/// </param>
internal sealed record ObjectRecord(long ResourceVersion, string Hash, string? Source, Status? Status);
