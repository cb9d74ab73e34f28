using System.Collections.Frozen;

namespace Sluice.Plan;

/// <summary>Headers .NET keeps on an outgoing request's content, not on the request (asking the request for them throws).</summary>
public static class ContentHeaderNames
{
    public static readonly FrozenSet<string> All = new[]
    {
        "Allow", "Content-Disposition", "Content-Encoding", "Content-Language", "Content-Length",
        "Content-Location", "Content-MD5", "Content-Range", "Content-Type", "Expires", "Last-Modified",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);
}
