using System.Globalization;
using System.Text.Json;

namespace Sluice.Plugins.Rest.Templates;

/// <summary>
/// What template values are and how inja treats them. A value is a string, a double, a bool, null
/// (JSON null), a <see cref="JsonElement"/> (a number as written, an object or an array), a
/// dictionary (<c>loop</c>), or <see cref="Missing"/>: a name nobody supplied.
/// </summary>
internal static class TemplateValues
{
    /// <summary>A variable that resolved to nothing; rendering it is the 400 §4.3 asks for.</summary>
    public sealed record Missing(string Name);

    /// <summary>Turns JSON scalars into plain values; keeps numbers, objects and arrays as elements.</summary>
    public static object? FromJson(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        _ => element,
    };

    /// <summary>What <c>{{ value }}</c> prints: a string as it is, anything else as JSON.</summary>
    public static string Text(object? value) => value switch
    {
        string text => text,
        Missing missing => throw new TemplateRenderException(TemplateRenderException.UndefinedCode, $"variable '{missing.Name}' is not defined (supply it in the JSON body or as a route parameter, or use default({missing.Name}, \"\"))"),
        _ => Json(value),
    };

    /// <summary>inja prints non-strings as JSON: <c>1</c>, <c>true</c>, <c>null</c>, <c>[1,2]</c>.</summary>
    public static string Json(object? value) => value switch
    {
        null => "null",
        string text => JsonSerializer.Serialize(text),
        bool flag => flag ? "true" : "false",
        double number => number.ToString("R", CultureInfo.InvariantCulture),
        JsonElement element => element.GetRawText(),
        IReadOnlyDictionary<string, object?> map => "{" + string.Join(",", map.Select(p => JsonSerializer.Serialize(p.Key) + ":" + Json(p.Value))) + "}",
        Missing missing => throw new TemplateRenderException(TemplateRenderException.UndefinedCode, $"variable '{missing.Name}' is not defined"),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    /// <summary>inja's truth: booleans as they are, numbers unless zero, null false, containers and strings unless empty. A missing name is false.</summary>
    public static bool IsTruthy(object? value) => value switch
    {
        null or Missing => false,
        bool flag => flag,
        double number => number != 0,
        string text => text.Length > 0,
        JsonElement { ValueKind: JsonValueKind.Number } element => element.GetDouble() != 0,
        JsonElement { ValueKind: JsonValueKind.Array } element => element.GetArrayLength() > 0,
        JsonElement { ValueKind: JsonValueKind.Object } element => element.EnumerateObject().Any(),
        IReadOnlyDictionary<string, object?> map => map.Count > 0,
        _ => true,
    };

    public static bool AreEqual(object? a, object? b)
    {
        if (AsNumber(a) is { } x && AsNumber(b) is { } y)
        {
            return x == y;
        }
        return (a, b) switch
        {
            (null, null) => true,
            (string s, string t) => string.Equals(s, t, StringComparison.Ordinal),
            (bool p, bool q) => p == q,
            (JsonElement e, JsonElement f) => JsonElement.DeepEquals(e, f),
            _ => false,
        };
    }

    /// <summary>Order of two numbers or two strings; null when they cannot be ordered.</summary>
    public static int? Compare(object? a, object? b)
    {
        if (AsNumber(a) is { } x && AsNumber(b) is { } y)
        {
            return x.CompareTo(y);
        }
        return a is string s && b is string t ? string.CompareOrdinal(s, t) : null;
    }

    public static double? AsNumber(object? value) => value switch
    {
        double number => number,
        JsonElement { ValueKind: JsonValueKind.Number } element => element.GetDouble(),
        _ => null,
    };

    /// <summary>A member or index of a container value; <see cref="Missing"/> when there is none.</summary>
    public static object? Member(object? value, string segment, string fullName) => value switch
    {
        JsonElement { ValueKind: JsonValueKind.Object } element when element.TryGetProperty(segment, out var child) => FromJson(child),
        JsonElement { ValueKind: JsonValueKind.Array } element when int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < element.GetArrayLength() => FromJson(element[index]),
        IReadOnlyDictionary<string, object?> map when map.TryGetValue(segment, out var child) => child,
        _ => new Missing(fullName),
    };

    /// <summary>What a for loop walks: list items (key null), or object members with their names.</summary>
    public static IReadOnlyList<(object? Key, object? Value)> Items(object? value, bool withKeys, string text)
    {
        switch (value)
        {
            case JsonElement { ValueKind: JsonValueKind.Array } array when !withKeys:
                return array.EnumerateArray().Select(item => ((object?)null, FromJson(item))).ToList();
            case JsonElement { ValueKind: JsonValueKind.Object } map when withKeys:
                return map.EnumerateObject().Select(p => ((object?)p.Name, FromJson(p.Value))).ToList();
            case Missing missing:
                throw new TemplateRenderException(TemplateRenderException.UndefinedCode, $"variable '{missing.Name}' is not defined");
            default:
                throw new TemplateRenderException(TemplateRenderException.UndefinedCode, withKeys
                    ? $"'{text}' is not an object; 'for key, value in' needs one"
                    : $"'{text}' is not a list; 'for item in' needs one");
        }
    }
}
