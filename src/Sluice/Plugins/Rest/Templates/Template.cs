using System.Text;

namespace Sluice.Plugins.Rest.Templates;

/// <summary>
/// An inja-style template (<c>{{ id }}</c>, <c>{% if %}</c>, <c>{% for %}</c>, <c>default(x, "")</c>,
/// <c>header("X")</c>, <c>extraction("name")</c>), parsed once when the config changes and
/// rendered per request. Compares by its source text, so an unchanged config keeps its invokers.
/// </summary>
internal sealed class Template : IEquatable<Template>
{
    private readonly TemplateNode[] _nodes;

    private readonly TemplateEscaping _escaping;

    private Template(string source, TemplateEscaping escaping, TemplateNode[] nodes, IReadOnlySet<string> variables)
    {
        Source = source;
        _escaping = escaping;
        _nodes = nodes;
        Variables = variables;
        // A template of plain text renders to itself: no renderer, no builder per request.
        Constant = nodes switch
        {
            [] => "",
            [TextNode text] => text.Text,
            _ => null,
        };
    }

    private static long _parseCount;

    public string Source { get; }

    /// <summary>Templates parsed by this process so far: lets tests show requests never parse.</summary>
    internal static long ParseCount => Interlocked.Read(ref _parseCount);

    /// <summary>The variables (first name segment) the template reads; empty when it needs no body.</summary>
    public IReadOnlySet<string> Variables { get; }

    /// <summary>The output when the template has no tags at all.</summary>
    public string? Constant { get; }

    /// <summary>
    /// Parses <paramref name="source"/>; throws <see cref="TemplateSyntaxException"/> with line and
    /// column. <paramref name="escaping"/> decides here, once, how each output is encoded.
    /// </summary>
    public static Template Parse(string source, TemplateEscaping escaping = TemplateEscaping.None)
    {
        Interlocked.Increment(ref _parseCount);
        var nodes = new TemplateParser(source, escaping).ParseTemplate();
        var variables = new HashSet<string>(StringComparer.Ordinal);
        CollectVariables(nodes, variables);
        return new Template(source, escaping, nodes, variables);
    }

    /// <summary>
    /// Renders for one request; more than <paramref name="maxLength"/> characters, or more loop
    /// iterations than <see cref="TemplateRenderer.MaxIterations"/>, stops it with a 413's exception.
    /// </summary>
    public string Render(TemplateInput input, long maxLength)
    {
        if (Constant is not null)
        {
            return Constant;
        }
        var output = new StringBuilder(Source.Length + 16);
        new TemplateRenderer(input, output, maxLength).RenderAll(_nodes);
        var rendered = output.ToString();
        if (_escaping == TemplateEscaping.Url && UrlEncoding.DotSegment(rendered) is { } segment)
        {
            // Encoding keeps '/' out of a value, but a value of '..' is a segment by itself.
            throw new TemplateRenderException(TemplateRenderException.BadPathCode, $"the path rendered as '{rendered}', whose segment '{segment}' would move it to another path");
        }
        return rendered;
    }

    public bool Equals(Template? other) =>
        other is not null && _escaping == other._escaping && string.Equals(Source, other.Source, StringComparison.Ordinal);

    public override bool Equals(object? obj) => Equals(obj as Template);

    public override int GetHashCode() => HashCode.Combine(_escaping, Source.GetHashCode(StringComparison.Ordinal));

    public override string ToString() => Source;

    private static void CollectVariables(IEnumerable<TemplateNode> nodes, HashSet<string> into)
    {
        foreach (var node in nodes)
        {
            switch (node)
            {
                case OutputNode output:
                    output.Expression.CollectVariables(into);
                    break;
                case IfNode conditional:
                    foreach (var (condition, body) in conditional.Branches)
                    {
                        condition.CollectVariables(into);
                        CollectVariables(body, into);
                    }
                    CollectVariables(conditional.Otherwise ?? [], into);
                    break;
                case ForNode loop:
                    loop.Source.CollectVariables(into);
                    // Loop variables are the template's own, not the request's.
                    var inner = new HashSet<string>(StringComparer.Ordinal);
                    CollectVariables(loop.Body, inner);
                    inner.Remove("loop");
                    inner.Remove(loop.ValueName);
                    if (loop.KeyName is not null)
                    {
                        inner.Remove(loop.KeyName);
                    }
                    into.UnionWith(inner);
                    break;
            }
        }
    }
}
