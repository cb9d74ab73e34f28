using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Sluice.Cli.Output;

/// <summary>
/// <c>--template</c>: a .NET-style format string over the object's JSON (as <c>-o json</c> prints
/// it). <c>{name}</c>, <c>{status.state}</c>, <c>{routes[0].request_matcher.path_prefix}</c> and
/// <c>{metadata.annotations.team}</c> are replaced by the value at that snake_case path; a missing
/// path is empty; a list or map prints as compact JSON. <c>{{</c> and <c>}}</c> are literal braces,
/// <c>\n</c> and <c>\t</c> a newline and a tab. Each object prints once, followed by a newline.
/// </summary>
/// <remarks>
/// Not Go templates: Sluice's users script in shells against JSON paths (as with jq), and a
/// placeholder syntax needs no control flow that <c>-o json | jq</c> does not already offer.
/// The template is parsed once, before anything is read, so a typo fails fast.
/// </remarks>
internal sealed class ObjectTemplate
{
    private readonly IReadOnlyList<Part> _parts;

    private ObjectTemplate(IReadOnlyList<Part> parts) => _parts = parts;

    public static ObjectTemplate Parse(string text)
    {
        var parts = new List<Part>();
        var literal = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '{' && i + 1 < text.Length && text[i + 1] == '{' || c == '}' && i + 1 < text.Length && text[i + 1] == '}')
            {
                literal.Append(c);
                i++;
            }
            else if (c == '\\' && i + 1 < text.Length && text[i + 1] is 'n' or 't' or '\\')
            {
                literal.Append(text[i + 1] switch { 'n' => '\n', 't' => '\t', _ => '\\' });
                i++;
            }
            else if (c == '{')
            {
                var end = text.IndexOf('}', i + 1);
                if (end < 0)
                {
                    throw new CliException($"--template: '{{' at position {i + 1} is not closed (write {{{{ for a literal brace)");
                }
                if (literal.Length > 0)
                {
                    parts.Add(new Part(literal.ToString(), null));
                    literal.Clear();
                }
                parts.Add(new Part(null, ParsePath(text[(i + 1)..end].Trim(), i + 1)));
                i = end;
            }
            else if (c == '}')
            {
                throw new CliException($"--template: '}}' at position {i + 1} has no '{{' (write }}}} for a literal brace)");
            }
            else
            {
                literal.Append(c);
            }
        }
        if (literal.Length > 0)
        {
            parts.Add(new Part(literal.ToString(), null));
        }
        return new ObjectTemplate(parts);
    }

    public string Render(JsonNode? root)
    {
        var text = new StringBuilder();
        foreach (var part in _parts)
        {
            if (part.Literal is { } literal)
            {
                text.Append(literal);
                continue;
            }
            var node = root;
            foreach (var step in part.Path!)
            {
                node = step switch
                {
                    string field => (node as JsonObject)?[field],
                    int index => node is JsonArray array && index < array.Count ? array[index] : null,
                    _ => null,
                };
            }
            text.Append(node switch
            {
                null => "",
                JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>(),
                _ => node.ToJsonString(),
            });
        }
        return text.ToString();
    }

    private static IReadOnlyList<object> ParsePath(string path, int position)
    {
        if (path.Length == 0)
        {
            throw new CliException($"--template: empty placeholder at position {position} (e.g. {{name}} or {{status.state}})");
        }
        var steps = new List<object>();
        foreach (var segment in path.Split('.'))
        {
            var rest = segment;
            var bracket = rest.IndexOf('[', StringComparison.Ordinal);
            var field = bracket < 0 ? rest : rest[..bracket];
            if (field.Length > 0)
            {
                steps.Add(field);
            }
            while (bracket >= 0)
            {
                var close = rest.IndexOf(']', bracket);
                if (close < 0 || !int.TryParse(rest[(bracket + 1)..close], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index))
                {
                    throw new CliException($"--template: '{{{path}}}' at position {position}: an index is written [0], [1], …");
                }
                steps.Add(index);
                rest = rest[(close + 1)..];
                bracket = rest.Length > 0 && rest[0] == '[' ? 0 : rest.Length > 0 ? throw new CliException($"--template: '{{{path}}}' at position {position}: expected '.' or '[' after ']'") : -1;
            }
            if (field.Length == 0 && steps.Count == 0)
            {
                throw new CliException($"--template: '{{{path}}}' at position {position} has an empty field name");
            }
        }
        return steps;
    }

    private sealed record Part(string? Literal, IReadOnlyList<object>? Path);
}
