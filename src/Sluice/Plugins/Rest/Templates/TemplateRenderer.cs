using System.Text;

namespace Sluice.Plugins.Rest.Templates;

/// <summary>
/// The state of one render: where text goes, the loop variables in scope, the request's input,
/// and the caps that stop a request's data from making a render unbounded.
/// </summary>
internal sealed class TemplateRenderer(TemplateInput input, StringBuilder output, long maxLength)
{
    /// <summary>
    /// Loop iterations one render may run, over all its loops: a nested loop over a list of a few
    /// thousand items would otherwise run millions of times before any output cap is reached.
    /// </summary>
    public const int MaxIterations = 100_000;

    private int _iterations;

    public TemplateInput Input { get; } = input;

    public List<(string Name, object? Value)> Locals { get; } = [];

    public void RenderAll(TemplateNode[] nodes)
    {
        foreach (var node in nodes)
        {
            node.Render(this);
        }
    }

    public void Append(string text)
    {
        if (output.Length + (long)text.Length > maxLength)
        {
            throw new TemplateRenderException(TemplateRenderException.LimitCode, $"the template rendered more than {maxLength} characters, the most it may render");
        }
        output.Append(text);
    }

    public void CountIteration()
    {
        if (++_iterations > MaxIterations)
        {
            throw new TemplateRenderException(TemplateRenderException.LimitCode, $"the template's loops ran more than {MaxIterations} times, the most one render may");
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
