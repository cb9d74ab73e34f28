namespace Sluice.Plugins.Aws;

/// <summary>
/// How a route calls its Lambda (route <c>extensions</c>, as Gloo's <c>execution_style</c>):
/// synchronously or not, and whether the request and response take API Gateway's proxy shapes.
/// </summary>
internal sealed record LambdaRouteOptions(bool Async, bool UnwrapAsApiGateway, bool RequestAsApiGateway)
{
    public static readonly LambdaRouteOptions Default = new(false, false, false);
}
