using Sluice.Api;
using Sluice.Plan;
using Sluice.Translation;

namespace Sluice.Plugins.Aws;

/// <summary>
/// <c>type: aws</c>: AWS Lambda functions. The upstream gives region and credentials, each
/// function names a Lambda (and qualifier), and routes choose how to call it with
/// <c>extensions</c> (<c>execution_style</c>, <c>unwrap_as_api_gateway</c>,
/// <c>request_as_api_gateway</c>). Like Gloo's aws plugin it is upstream, function and route
/// plugin at once, because the three only make sense together.
/// </summary>
internal sealed class AwsPlugin : IUpstreamPlugin, IFunctionPlugin, IRoutePlugin
{
    public const string Type = "aws";
    public const string ExecutionStyle = "execution_style";
    public const string UnwrapAsApiGateway = "unwrap_as_api_gateway";
    public const string RequestAsApiGateway = "request_as_api_gateway";

    public string Name => "aws";

    public IReadOnlyList<string> UpstreamTypes { get; } = [Type];

    public IReadOnlyCollection<string> ExtensionKeys { get; } = [ExecutionStyle, UnwrapAsApiGateway, RequestAsApiGateway];

    public ClusterPlan? BuildCluster(Upstream upstream, TranslationContext context, Diagnostics diagnostics)
    {
        var spec = AwsUpstreamSpec.Read(upstream, context, diagnostics);
        if (spec is null)
        {
            return null;
        }
        var endpoint = spec.Endpoint;
        return new ClusterPlan
        {
            Name = upstream.Name,
            Endpoints = new([new EndpointPlan(endpoint.IdnHost, endpoint.Port)]),
            UseTls = endpoint.Scheme == "https",
            TlsServerName = endpoint.HostNameType == UriHostNameType.Dns ? endpoint.IdnHost : null,
            ConnectTimeout = upstream.ConnectionTimeout ?? ClusterDefaults.ConnectTimeout,
            AutoHostRewrite = true,
            // A route to the upstream itself names no Lambda to invoke.
            Invoker = new GatewayAnswerSpec(new SluiceError(SluiceErrorCode.NoFunction, $"no function present for AWS upstream '{upstream.Name}'")),
        };
    }

    public FunctionSpecResult ParseFunctionSpec(Upstream upstream, UpstreamFunction function, TranslationContext context)
    {
        if (upstream.Type != Type)
        {
            return FunctionSpecResult.NotMine;
        }
        var (name, qualifier, errors) = LambdaFunctionSpec.Read(function);
        if (errors.Count > 0)
        {
            return FunctionSpecResult.Invalid([.. errors]);
        }
        // The upstream's own errors are reported by BuildCluster; here they only mean "no invoker".
        var upstreamSpec = AwsUpstreamSpec.Read(upstream, context, new Diagnostics());
        return FunctionSpecResult.Accepted(upstreamSpec is null ? null : new LambdaInvokerSpec(upstreamSpec, name!, qualifier));
    }

    public void ProcessRoute(Route route, RouteBuilder builder, TranslationContext context, Diagnostics diagnostics)
    {
        var extensions = new SpecReader(route.Extensions, "extensions", diagnostics);
        if (!extensions.Has(ExecutionStyle) && !extensions.Has(UnwrapAsApiGateway) && !extensions.Has(RequestAsApiGateway))
        {
            return;
        }
        var style = extensions.String(ExecutionStyle);
        if (style is not (null or "sync" or "async"))
        {
            diagnostics.Error($"extensions.{ExecutionStyle}", $"invalid execution style provided. must be one of: sync|async, you gave: {style}");
        }
        builder.Data.Set(new LambdaRouteOptions(
            Async: style == "async",
            UnwrapAsApiGateway: extensions.Bool(UnwrapAsApiGateway) ?? false,
            RequestAsApiGateway: extensions.Bool(RequestAsApiGateway) ?? false));
    }
}
