using Sluice.Api;

namespace Sluice.Telemetry;

/// <summary>Access logging: one JSON line per request. Off unless <see cref="Path"/> is set.</summary>
public sealed record AccessLogOptions
{
    /// <summary>File to append to, or <c>-</c> for standard output; null = off.</summary>
    public string? Path { get; init; }

    /// <summary>The fields written (see <see cref="AccessLogFields.All"/>); null = all.</summary>
    public ValueList<string>? Fields { get; init; }

    /// <summary>Lines waiting for the writer; past this, lines are dropped and counted, never waited for.</summary>
    public int BufferLines { get; init; } = 16 * 1024;
}
