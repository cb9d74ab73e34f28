using System.Net;

namespace Sluice.Discovery;

/// <summary>A whole HTTP answer read by <see cref="DiscoveryHttp"/>.</summary>
public sealed record HttpAnswer(HttpStatusCode Status, string? MediaType, byte[] Body)
{
    public bool IsSuccess => (int)Status is >= 200 and < 300;
}
