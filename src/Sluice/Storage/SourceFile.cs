namespace Sluice.Storage;

/// <summary>One file of the config folder as read at one moment.</summary>
/// <param name="RelativePath">Path relative to the config folder with <c>/</c> separators, e.g. <c>upstreams/a.yaml</c>.</param>
/// <param name="Error">Why the file could not be read (permissions), when it could not.</param>
/// <param name="Skipped">Why a file in the folder is not configuration (and was not read), when it is not.</param>
internal sealed record SourceFile(string Section, string Name, string RelativePath, byte[] Bytes, string? Error = null, string? Skipped = null);
