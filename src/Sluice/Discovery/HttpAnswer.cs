using System.Net;

namespace Sluice.Discovery;

/// <summary>A whole HTTP answer read by <see cref="DiscoveryHttp"/>.</summary>
/// <param name="ErrorType">AWS's <c>x-amzn-ErrorType</c> header, when the answer carries one.</param>
public sealed record HttpAnswer(HttpStatusCode Status, string? MediaType, byte[] Body, string? ErrorType = null)
{
    public bool IsSuccess => (int)Status is >= 200 and < 300;
}
