namespace Sluice.Plugins.Rest.Templates;

/// <summary>A function templates may call, with its arity checked when the template is parsed.</summary>
internal sealed class TemplateFunction(string name, int minArguments, int maxArguments, Func<TemplateRenderer, object?[], string, object?> invoke, bool readsVariableByName = false)
{
    public string Name { get; } = name;

    public int MinArguments { get; } = minArguments;

    public int MaxArguments { get; } = maxArguments;

    /// <summary>True for <c>exists("name")</c>: its string argument names a variable.</summary>
    public bool ReadsVariableByName { get; } = readsVariableByName;

    public object? Invoke(TemplateRenderer renderer, object?[] arguments, string text) => invoke(renderer, arguments, text);
}
