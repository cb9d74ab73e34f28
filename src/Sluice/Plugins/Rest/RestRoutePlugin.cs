using Sluice.Api;
using Sluice.Translation;

namespace Sluice.Plugins.Rest;

/// <summary>
/// The transformation route extensions (§4.1): <c>parameters</c> (where request template
/// variables come from), <c>response_transformation</c> and <c>response_params</c> (0.2.x:
/// <c>response_template</c>, <c>response_parameters</c>). Compiled once into
/// <see cref="RestRouteData"/> for <see cref="RestInvoker"/>; they act on routes to REST functions.
/// </summary>
internal sealed class RestRoutePlugin(long maxBodyBytes = RestFunctionPlugin.DefaultMaxBodyBytes) : IRoutePlugin
{
    private const string Parameters = "parameters";
    private const string ResponseTransformation = "response_transformation";
    private const string ResponseParams = "response_params";
    private const string ResponseTemplate = "response_template";
    private const string ResponseParameters = "response_parameters";

    private static readonly IReadOnlySet<string> RequestPseudoHeaders = new HashSet<string>(StringComparer.Ordinal) { ":path", ":method", ":authority" };
    private static readonly IReadOnlySet<string> ResponsePseudoHeaders = new HashSet<string>(StringComparer.Ordinal) { ":status" };
    private static readonly IReadOnlySet<string> NoPseudoHeaders = new HashSet<string>(StringComparer.Ordinal);

    public string Name => "rest";

    public IReadOnlyCollection<string> ExtensionKeys { get; } =
        [Parameters, ResponseTransformation, ResponseParams, ResponseTemplate, ResponseParameters];

    public void ProcessRoute(Route route, RouteBuilder builder, TranslationContext context, Diagnostics diagnostics)
    {
        var extensions = new SpecReader(route.Extensions, "extensions", diagnostics);
        var parameters = ReadParameters(extensions, Parameters, RequestPseudoHeaders, allowPath: true, diagnostics);

        var responseKey = extensions.Has(ResponseTransformation) || !extensions.Has(ResponseTemplate) ? ResponseTransformation : ResponseTemplate;
        var paramsKey = extensions.Has(ResponseParams) || !extensions.Has(ResponseParameters) ? ResponseParams : ResponseParameters;
        foreach (var (current, old) in new[] { (ResponseTransformation, ResponseTemplate), (ResponseParams, ResponseParameters) })
        {
            if (extensions.Has(current) && extensions.Has(old))
            {
                diagnostics.Error($"extensions.{old}", $"is the 0.2.x name of '{current}'; give one of them");
            }
        }
        var response = ReadResponse(extensions, responseKey, paramsKey, diagnostics);

        if (parameters is null && response is null)
        {
            return;
        }
        if (route.SingleDestination?.Function is null && route.MultipleDestinations?.Any(d => d.Destination.Function is not null) != true)
        {
            diagnostics.Warning("extensions", $"'{Parameters}' and response transformations act on routes to REST functions; this route has no function destination, so they are ignored");
        }
        builder.Data.Set(new RestRouteData(parameters, response));
    }

    private ResponseTransformation? ReadResponse(SpecReader extensions, string key, string paramsKey, Diagnostics diagnostics)
    {
        var spec = extensions.Object(key);
        var parameters = ReadParameters(extensions, paramsKey, NoPseudoHeaders, allowPath: false, diagnostics);
        if (spec is null)
        {
            if (parameters is not null)
            {
                diagnostics.Warning($"extensions.{paramsKey}", $"has no effect without '{key}'");
            }
            return null;
        }
        var field = $"extensions.{key}";
        var headers = TemplateSpecReader.Headers(spec, "headers", field, ResponsePseudoHeaders, diagnostics);
        var (body, removeBody) = TemplateSpecReader.Body(spec, "body", field, diagnostics);
        if (spec.Has("path"))
        {
            spec.String("path");
            diagnostics.Warning($"{field}.path", "a response has no path; ignored");
        }
        spec.WarnUnknownKeys();
        return new ResponseTransformation(headers, body, removeBody, parameters, maxBodyBytes);
    }

    private static ParameterSet? ReadParameters(SpecReader extensions, string key, IReadOnlySet<string> pseudoHeaders, bool allowPath, Diagnostics diagnostics)
    {
        var spec = extensions.Object(key);
        if (spec is null)
        {
            return null;
        }
        var field = $"extensions.{key}";
        var headers = new List<HeaderParameter>();
        foreach (var (name, source) in spec.StringMap("headers") ?? ValueMap.Empty)
        {
            var headerField = $"{field}.headers.{name}";
            if (name.StartsWith(':') ? !pseudoHeaders.Contains(name) : !TemplateSpecReader.IsHeaderName(name))
            {
                diagnostics.Error(headerField, $"'{name}' is not a header name this source can read");
            }
            else if (TemplateSpecReader.Pattern(source, headerField, diagnostics) is { } pattern)
            {
                headers.Add(new HeaderParameter(name, pattern));
            }
        }
        if (allowPath && spec.String("authority") is { } authority && TemplateSpecReader.Pattern(authority, $"{field}.authority", diagnostics) is { } authorityPattern)
        {
            headers.Add(new HeaderParameter(":authority", authorityPattern));
        }
        ParameterPattern? path = null;
        if (allowPath && spec.String("path") is { } pathSource)
        {
            path = TemplateSpecReader.Pattern(pathSource, $"{field}.path", diagnostics);
        }
        spec.WarnUnknownKeys();
        return new ParameterSet(new(headers), path, AddBuiltIns: allowPath);
    }
}
