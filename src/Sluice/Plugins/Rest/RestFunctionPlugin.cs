using Sluice.Api;
using Sluice.Plugins.Rest.Templates;
using Sluice.Translation;

namespace Sluice.Plugins.Rest;

/// <summary>
/// REST functions (§2.8, §4.1): on an upstream with <c>service_info.type: REST</c> each function
/// spec is a transformation (<c>path</c>, <c>headers</c> with <c>:method</c>, <c>body</c>) whose
/// templates are parsed here, once per config change; a template that does not parse rejects the
/// upstream with the field and position.
/// </summary>
internal sealed class RestFunctionPlugin(long maxBodyBytes = RestFunctionPlugin.DefaultMaxBodyBytes) : IFunctionPlugin
{
    /// <summary>Envoy's default per-connection buffer limit, which bounded Gloo's transformations too.</summary>
    public const long DefaultMaxBodyBytes = 1024 * 1024;

    private static readonly HashSet<string> SpecKeys = new(StringComparer.Ordinal) { "path", "headers", "body", "passthrough_body" };

    private static readonly IReadOnlySet<string> PseudoHeaders = new HashSet<string>(StringComparer.Ordinal) { ":method", ":path", ":authority" };

    public string Name => "rest";

    public FunctionSpecResult ParseFunctionSpec(Upstream upstream, UpstreamFunction function, TranslationContext context)
    {
        if (!IsMine(upstream, function))
        {
            return FunctionSpecResult.NotMine;
        }
        var diagnostics = new Diagnostics();
        var spec = new SpecReader(function.Spec, "spec", diagnostics);

        var path = spec.String("path") is { } pathSource ? TemplateSpecReader.Compile(pathSource, "spec.path", diagnostics, TemplateEscaping.Url) : null;
        var headers = TemplateSpecReader.Headers(spec, "headers", "spec", PseudoHeaders, diagnostics).ToList();
        var (body, removeBody) = TemplateSpecReader.Body(spec, "body", "spec", diagnostics);
        if (spec.Bool("passthrough_body") == true && (body is not null || removeBody))
        {
            diagnostics.Error("spec.passthrough_body", "cannot be combined with a body template");
        }

        var method = Take(headers, ":method");
        if (Take(headers, ":path") is { } pathHeader)
        {
            if (path is not null)
            {
                diagnostics.Error("spec.headers.:path", "conflicts with spec.path; give the path once");
            }
            path = pathHeader;
        }
        if (path?.Constant is { } constantPath && !constantPath.StartsWith('/'))
        {
            diagnostics.Error("spec.path", $"'{constantPath}' must start with '/'");
        }
        if (diagnostics.HasErrors)
        {
            return FunctionSpecResult.Invalid([.. diagnostics.Errors]);
        }

        var variables = new HashSet<string>(StringComparer.Ordinal);
        foreach (var template in new[] { path, method, body }.Concat(headers.Select(h => h.Value)))
        {
            variables.UnionWith(template?.Variables ?? new HashSet<string>());
        }
        return FunctionSpecResult.Accepted(new RestFunctionSpec
        {
            Path = path,
            Method = method,
            Headers = new(headers),
            Body = body,
            RemoveBody = removeBody,
            MaxBodyBytes = maxBodyBytes,
            Variables = variables,
        });
    }

    /// <summary>
    /// Mine when the upstream says its service is REST; an upstream that says nothing about its
    /// service is also served when the spec has a transformation's shape (only path, headers, body),
    /// so hand-written specs work without service_info. Any other service type is someone else's.
    /// </summary>
    private static bool IsMine(Upstream upstream, UpstreamFunction function)
    {
        if (upstream.ServiceInfo is { } service)
        {
            return string.Equals(service.Type, "REST", StringComparison.OrdinalIgnoreCase);
        }
        var keys = function.Spec.Root.EnumerateObject().Select(p => p.Name).ToList();
        return keys.Count > 0 && keys.All(SpecKeys.Contains);
    }

    private static Template? Take(List<HeaderTemplate> headers, string name)
    {
        var index = headers.FindIndex(h => h.Name == name);
        if (index < 0)
        {
            return null;
        }
        var template = headers[index].Value;
        headers.RemoveAt(index);
        return template;
    }
}
