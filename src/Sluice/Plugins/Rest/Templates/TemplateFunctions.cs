using System.Collections.Frozen;
using System.Text.Json;

namespace Sluice.Plugins.Rest.Templates;

/// <summary>
/// The functions of 2018's envoy-gloo transformation filter (<c>header</c>, <c>extraction</c>)
/// and the inja built-ins REST templates used (<c>default</c>, <c>upper</c>, <c>lower</c>,
/// <c>length</c>, <c>exists</c>), and <c>raw</c>. Each also works as a filter: <c>{{ name | upper }}</c>.
/// </summary>
internal static class TemplateFunctions
{
    /// <summary>
    /// <c>raw(x)</c>: x unchanged. In a path template the one way to let a value carry '/', '?'
    /// or '%' through unencoded; the config author opts in per output.
    /// </summary>
    public const string Raw = "raw";

    public static readonly FrozenDictionary<string, TemplateFunction> All = new TemplateFunction[]
    {
        // default(x, y): y when x is missing or null; the one way to make a variable optional.
        new("default", 2, 2, static (_, args, _) => args[0] is null or TemplateValues.Missing ? args[1] : args[0]),
        new("header", 1, 1, static (renderer, args, text) => renderer.Input.Header(AsString(args[0], text))),
        new("extraction", 1, 1, static (renderer, args, text) => renderer.Input.Extraction(AsString(args[0], text))),
        new("upper", 1, 1, static (_, args, text) => args[0] is TemplateValues.Missing ? args[0] : AsString(args[0], text).ToUpperInvariant()),
        new("lower", 1, 1, static (_, args, text) => args[0] is TemplateValues.Missing ? args[0] : AsString(args[0], text).ToLowerInvariant()),
        new("length", 1, 1, static (_, args, text) => Length(args[0], text)),
        new(Raw, 1, 1, static (_, args, _) => args[0]),
        new("exists", 1, 1, static (renderer, args, text) => renderer.Exists(AsString(args[0], text)), readsVariableByName: true),
    }.ToFrozenDictionary(f => f.Name, StringComparer.Ordinal);

    private static string AsString(object? value, string text) => value switch
    {
        string s => s,
        TemplateValues.Missing missing => throw new TemplateRenderException(TemplateRenderException.UndefinedCode, $"variable '{missing.Name}' is not defined (in '{text}')"),
        _ => TemplateValues.Json(value),
    };

    private static object Length(object? value, string text) => value switch
    {
        string s => (double)s.Length,
        JsonElement { ValueKind: JsonValueKind.Array } array => (double)array.GetArrayLength(),
        JsonElement { ValueKind: JsonValueKind.Object } map => (double)map.EnumerateObject().Count(),
        TemplateValues.Missing missing => throw new TemplateRenderException(TemplateRenderException.UndefinedCode, $"variable '{missing.Name}' is not defined (in '{text}')"),
        _ => throw new TemplateRenderException(TemplateRenderException.UndefinedCode, $"'{text}': length() needs a string, a list or an object"),
    };
}
