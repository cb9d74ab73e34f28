namespace Sluice.Plugins.Rest.Templates;

/// <summary>A piece of a parsed template: literal text, an output, a condition or a loop.</summary>
internal abstract class TemplateNode
{
    public abstract void Render(TemplateRenderer renderer);
}

internal sealed class TextNode(string text) : TemplateNode
{
    public string Text { get; } = text;

    public override void Render(TemplateRenderer renderer) => renderer.Append(Text);
}

/// <summary><c>{{ x }}</c>; <paramref name="escape"/> (set for URL templates) encodes the value for where it lands.</summary>
internal sealed class OutputNode(TemplateExpression expression, Func<string, string>? escape) : TemplateNode
{
    public TemplateExpression Expression { get; } = expression;

    public override void Render(TemplateRenderer renderer)
    {
        var text = TemplateValues.Text(Expression.Evaluate(renderer));
        renderer.Append(escape is null ? text : escape(text));
    }
}

/// <summary><c>{% if %}…{% else if %}…{% else %}…{% endif %}</c>: the first true branch renders.</summary>
internal sealed class IfNode(IReadOnlyList<(TemplateExpression Condition, TemplateNode[] Body)> branches, TemplateNode[]? otherwise) : TemplateNode
{
    public IReadOnlyList<(TemplateExpression Condition, TemplateNode[] Body)> Branches { get; } = branches;

    public TemplateNode[]? Otherwise { get; } = otherwise;

    public override void Render(TemplateRenderer renderer)
    {
        foreach (var (condition, body) in Branches)
        {
            if (TemplateValues.IsTruthy(condition.Evaluate(renderer)))
            {
                renderer.RenderAll(body);
                return;
            }
        }
        if (Otherwise is not null)
        {
            renderer.RenderAll(Otherwise);
        }
    }
}

/// <summary>
/// <c>{% for x in list %}</c> or <c>{% for key, value in object %}</c>; inside, <c>loop.index</c>,
/// <c>loop.index1</c>, <c>loop.is_first</c> and <c>loop.is_last</c> as in inja.
/// </summary>
internal sealed class ForNode(string? keyName, string valueName, TemplateExpression source, TemplateNode[] body) : TemplateNode
{
    public string? KeyName { get; } = keyName;

    public string ValueName { get; } = valueName;

    public TemplateExpression Source { get; } = source;

    public TemplateNode[] Body { get; } = body;

    public override void Render(TemplateRenderer renderer)
    {
        var items = TemplateValues.Items(Source.Evaluate(renderer), KeyName is not null, Source.Text);
        for (var i = 0; i < items.Count; i++)
        {
            renderer.CountIteration();
            var mark = renderer.Locals.Count;
            var loop = new Dictionary<string, object?>(4, StringComparer.Ordinal)
            {
                ["index"] = (double)i,
                ["index1"] = (double)(i + 1),
                ["is_first"] = i == 0,
                ["is_last"] = i == items.Count - 1,
            };
            renderer.Locals.Add(("loop", loop));
            if (KeyName is not null)
            {
                renderer.Locals.Add((KeyName, items[i].Key));
            }
            renderer.Locals.Add((ValueName, items[i].Value));
            renderer.RenderAll(Body);
            renderer.Locals.RemoveRange(mark, renderer.Locals.Count - mark);
        }
    }
}
