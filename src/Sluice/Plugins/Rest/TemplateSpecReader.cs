using Sluice.Api;
using Sluice.Plugins.Rest.Templates;
using Sluice.Translation;

namespace Sluice.Plugins.Rest;

/// <summary>
/// Reads the parts REST specs share (templates, header templates, parameter patterns), turning
/// each template or pattern error into an error naming the field and the position.
/// </summary>
internal static class TemplateSpecReader
{
    /// <summary>Headers a template must not set: the gateway computes them for the body it sends.</summary>
    private static readonly HashSet<string> ReservedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "content-length", "transfer-encoding", "connection", "upgrade", "te", "trailer", "keep-alive",
    };

    public static Template? Compile(string source, string field, Diagnostics diagnostics, TemplateEscaping escaping = TemplateEscaping.None)
    {
        try
        {
            return Template.Parse(source, escaping);
        }
        catch (TemplateSyntaxException e)
        {
            diagnostics.Error(field, $"template error at line {e.Line}, column {e.Column}: {e.Reason}");
            return null;
        }
    }

    /// <summary>A map of header name → template; <paramref name="pseudoHeaders"/> lists the <c>:names</c> allowed.</summary>
    public static ValueList<HeaderTemplate> Headers(SpecReader spec, string key, string field, IReadOnlySet<string> pseudoHeaders, Diagnostics diagnostics)
    {
        var headers = new List<HeaderTemplate>();
        foreach (var (name, source) in spec.StringMap(key) ?? ValueMap.Empty)
        {
            var headerField = $"{field}.{key}.{name}";
            if (name.StartsWith(':') ? !pseudoHeaders.Contains(name) : !IsHeaderName(name))
            {
                var allowed = pseudoHeaders.Count == 0 ? "" : $" (pseudo-headers allowed here: {string.Join(", ", pseudoHeaders)})";
                diagnostics.Error(headerField, $"'{name}' is not a header name that can be set{allowed}");
                continue;
            }
            if (ReservedHeaders.Contains(name))
            {
                diagnostics.Error(headerField, $"header '{name}' is managed by the gateway and cannot be set");
                continue;
            }
            // ':path' is a URL like spec.path: its values are encoded for where they land.
            var escaping = name == ":path" ? TemplateEscaping.Url : TemplateEscaping.None;
            if (Compile(source, headerField, diagnostics, escaping) is { } template)
            {
                if (name == ":method" && template.Constant is { } method && !IsHeaderName(method))
                {
                    diagnostics.Error(headerField, $"'{method}' is not an HTTP method");
                    continue;
                }
                headers.Add(new HeaderTemplate(name, template));
            }
        }
        return new(headers);
    }

    /// <summary>
    /// Reads a body field: absent or null passes the body through, <c>""</c> removes it, anything
    /// else is a template. Wrapped <c>{value: …}</c> scalars are accepted, as Gloo's decoder produced.
    /// </summary>
    public static (Template? Template, bool Remove) Body(SpecReader spec, string key, string field, Diagnostics diagnostics)
    {
        var source = spec.String(key);
        return source switch
        {
            null => (null, false),
            "" => (null, true),
            _ => (Compile(source, $"{field}.{key}", diagnostics), false),
        };
    }

    /// <summary>Compiles a source pattern, reporting Gloo's own message when it is malformed.</summary>
    public static ParameterPattern? Pattern(string source, string field, Diagnostics diagnostics)
    {
        var pattern = ParameterPattern.Compile(source, out var error);
        if (error is not null)
        {
            diagnostics.Error(field, error);
        }
        return pattern;
    }

    /// <summary>RFC 9110 token characters.</summary>
    public static bool IsHeaderName(string name) =>
        name.Length > 0 && name.All(c => c < 127 && (char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c)));
}
