using System.Text.RegularExpressions;
using Sluice.Api;
using Sluice.Plugins.Serverless;
using Sluice.Translation;

namespace Sluice.Plugins.Faas;

/// <summary>
/// OpenFaaS, Fission and Fn functions: not upstream types of their own (their gateways are
/// ordinary static or kubernetes upstreams, as in Gloo) but a <c>service_info.type</c> that
/// tells how a function name becomes a call — a POST to <c>/function/&lt;name&gt;</c>
/// (OpenFaaS), <c>/fission-function/&lt;name&gt;</c> (Fission) or <c>/r/&lt;app&gt;&lt;route&gt;</c>
/// (Fn), with the body passed through.
/// </summary>
internal sealed partial class FaasFunctionPlugin : IFunctionPlugin
{
    public const string OpenFaas = "openfaas";
    public const string Fission = "fission";
    public const string Fn = "fn";

    public string Name => "faas";

    public FunctionSpecResult ParseFunctionSpec(Upstream upstream, UpstreamFunction function, TranslationContext context)
    {
        var kind = upstream.ServiceInfo?.Type;
        if (kind is not (OpenFaas or Fission or Fn))
        {
            return FunctionSpecResult.NotMine;
        }
        var diagnostics = new Diagnostics();
        var spec = new SpecReader(function.Spec, "spec", diagnostics);
        var name = spec.String("function_name") ?? function.Name;
        var app = kind == Fn ? spec.String("app") : null;
        var route = kind == Fn ? spec.String("route") ?? "/" + name : null;
        var errors = new List<string>(diagnostics.Errors);
        if (!Segment().IsMatch(name))
        {
            errors.Add($"spec.function_name: '{name}' is not a function name (letters, digits, '.', '-', '_')");
        }
        string path;
        if (kind == Fn)
        {
            if (string.IsNullOrEmpty(app))
            {
                errors.Add("spec.app: is required for Fn functions (the Fn app the route belongs to)");
            }
            else if (!Segment().IsMatch(app))
            {
                errors.Add($"spec.app: '{app}' is not an Fn app name (letters, digits, '.', '-', '_')");
            }
            if (!Route().IsMatch(route!))
            {
                errors.Add($"spec.route: '{route}' is not an Fn route (a path such as /hello)");
            }
            path = $"/r/{app}{route}";
        }
        else
        {
            path = kind == OpenFaas ? $"/function/{name}" : $"/fission-function/{name}";
        }
        return errors.Count > 0
            ? FunctionSpecResult.Invalid([.. errors])
            : FunctionSpecResult.Accepted(new PathRewriteSpec(path) { Method = "POST" });
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,253}$")]
    private static partial Regex Segment();

    [GeneratedRegex("^(/[A-Za-z0-9._~-]+)+$")]
    private static partial Regex Route();
}
