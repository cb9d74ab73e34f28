using System.Text;

namespace Sluice.Plugins.Rest.Templates;

/// <summary>The state of one render: where text goes, the loop variables in scope, the request's input.</summary>
internal sealed class TemplateRenderer(TemplateInput input, StringBuilder output)
{
    public TemplateInput Input { get; } = input;

    public StringBuilder Output { get; } = output;

    public List<(string Name, object? Value)> Locals { get; } = [];

    public void RenderAll(TemplateNode[] nodes)
    {
        foreach (var node in nodes)
        {
            node.Render(this);
        }
    }

    /// <summary>Loop variables first (innermost wins), then the request's input.</summary>
    public object? Resolve(string name, string[] segments)
    {
        for (var i = Locals.Count - 1; i >= 0; i--)
        {
            if (Locals[i].Name == segments[0])
            {
                var value = Locals[i].Value;
                for (var j = 1; j < segments.Length && value is not TemplateValues.Missing; j++)
                {
                    value = TemplateValues.Member(value, segments[j], name);
                }
                return value;
            }
        }
        return Input.Resolve(name, segments);
    }

    public bool Exists(string name) => Resolve(name, name.Split('.')) is not TemplateValues.Missing;
}
