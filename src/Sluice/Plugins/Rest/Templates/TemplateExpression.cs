namespace Sluice.Plugins.Rest.Templates;

/// <summary>An expression inside <c>{{ }}</c> or a tag, evaluated against one request.</summary>
internal abstract class TemplateExpression(string text)
{
    /// <summary>The expression as written, for error messages.</summary>
    public string Text { get; } = text;

    public abstract object? Evaluate(TemplateRenderer renderer);

    /// <summary>Adds the variables this expression reads (their first name segment).</summary>
    public virtual void CollectVariables(HashSet<string> into)
    {
    }
}

internal sealed class LiteralExpression(string text, object? value) : TemplateExpression(text)
{
    public object? Value { get; } = value;

    public override object? Evaluate(TemplateRenderer renderer) => Value;
}

/// <summary>A dotted name (<c>pet.name</c>, <c>pets.0</c>): a loop variable, an extraction or a body field.</summary>
internal sealed class VariableExpression(string text) : TemplateExpression(text)
{
    private readonly string[] _segments = text.Split('.');

    public override object? Evaluate(TemplateRenderer renderer) => renderer.Resolve(Text, _segments);

    public override void CollectVariables(HashSet<string> into) => into.Add(_segments[0]);
}

internal sealed class NotExpression(string text, TemplateExpression operand) : TemplateExpression(text)
{
    public override object? Evaluate(TemplateRenderer renderer) => !TemplateValues.IsTruthy(operand.Evaluate(renderer));

    public override void CollectVariables(HashSet<string> into) => operand.CollectVariables(into);
}

internal sealed class BinaryExpression(string text, string op, TemplateExpression left, TemplateExpression right) : TemplateExpression(text)
{
    public override object? Evaluate(TemplateRenderer renderer)
    {
        switch (op)
        {
            case "and":
                return TemplateValues.IsTruthy(left.Evaluate(renderer)) && TemplateValues.IsTruthy(right.Evaluate(renderer));
            case "or":
                return TemplateValues.IsTruthy(left.Evaluate(renderer)) || TemplateValues.IsTruthy(right.Evaluate(renderer));
        }
        var a = left.Evaluate(renderer);
        var b = right.Evaluate(renderer);
        return op switch
        {
            "==" => TemplateValues.AreEqual(a, b),
            "!=" => !TemplateValues.AreEqual(a, b),
            _ => TemplateValues.Compare(a, b) is { } order && op switch
            {
                "<" => order < 0,
                "<=" => order <= 0,
                ">" => order > 0,
                _ => order >= 0,
            },
        };
    }

    public override void CollectVariables(HashSet<string> into)
    {
        left.CollectVariables(into);
        right.CollectVariables(into);
    }
}

/// <summary>A call to one of <see cref="TemplateFunctions"/>, bound when the template is parsed.</summary>
internal sealed class CallExpression(string text, TemplateFunction function, TemplateExpression[] arguments) : TemplateExpression(text)
{
    public TemplateFunction Function { get; } = function;

    public override object? Evaluate(TemplateRenderer renderer)
    {
        var values = new object?[arguments.Length];
        for (var i = 0; i < arguments.Length; i++)
        {
            values[i] = arguments[i].Evaluate(renderer);
        }
        return Function.Invoke(renderer, values, Text);
    }

    public override void CollectVariables(HashSet<string> into)
    {
        if (Function.ReadsVariableByName && arguments is [LiteralExpression { Value: string variable }])
        {
            into.Add(variable.Split('.')[0]);
        }
        foreach (var argument in arguments)
        {
            argument.CollectVariables(into);
        }
    }
}
