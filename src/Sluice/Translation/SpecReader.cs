using System.Globalization;
using System.Text.Json;
using Sluice.Api;

namespace Sluice.Translation;

/// <summary>
/// Reads a plugin's free-form object (<c>spec</c>, <c>extensions</c>) the way Gloo's Go decoder
/// did, but loudly: wrapped scalars (<c>{value: x}</c>) and integer-nanosecond durations are
/// accepted, a wrong type is an error naming the field, and keys nobody read can be reported as
/// warnings (Gloo silently ignored them; a typo deserves to be seen).
/// </summary>
public sealed class SpecReader
{
    private readonly JsonElement _element;
    private readonly string _path;
    private readonly Diagnostics _diagnostics;
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public SpecReader(Struct spec, string path, Diagnostics diagnostics)
        : this(spec.Root, path, diagnostics)
    {
    }

    private SpecReader(JsonElement element, string path, Diagnostics diagnostics)
    {
        _element = element;
        _path = path;
        _diagnostics = diagnostics;
    }

    public bool Has(string key) => _element.TryGetProperty(key, out var value) && value.ValueKind != JsonValueKind.Null;

    /// <summary>True when the key holds an object (not a wrapped scalar): for fields that take either.</summary>
    public bool HasObject(string key) =>
        _element.TryGetProperty(key, out var value) && value.ValueKind == JsonValueKind.Object && !IsWrapped(value);

    public string? String(string key)
    {
        if (!TryGet(key, out var value))
        {
            return null;
        }
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                return value.GetString();
            case JsonValueKind.Number:
            case JsonValueKind.True:
            case JsonValueKind.False:
                // YAML reads `version: 1` as a number; a string field takes it as written.
                return value.GetRawText();
            default:
                TypeError(key, "a string");
                return null;
        }
    }

    public bool? Bool(string key)
    {
        if (!TryGet(key, out var value))
        {
            return null;
        }
        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return value.GetBoolean();
        }
        if (value.ValueKind == JsonValueKind.String && bool.TryParse(value.GetString(), out var parsed))
        {
            return parsed;
        }
        TypeError(key, "true or false");
        return null;
    }

    /// <summary>An integer within [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public long? Integer(string key, long min = long.MinValue, long max = long.MaxValue)
    {
        if (!TryGet(key, out var value))
        {
            return null;
        }
        long number;
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out number))
        {
        }
        else if (value.ValueKind == JsonValueKind.String && long.TryParse(value.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out number))
        {
        }
        else
        {
            TypeError(key, "an integer");
            return null;
        }
        if (number < min || number > max)
        {
            _diagnostics.Error(Field(key), max == long.MaxValue
                ? $"must be at least {min}, got {number}"
                : $"must be between {min} and {max}, got {number}");
            return null;
        }
        return number;
    }

    /// <summary>"5s"-style text or integer nanoseconds (Gloo's Go <c>time.Duration</c>).</summary>
    public TimeSpan? Duration(string key)
    {
        if (!TryGet(key, out var value))
        {
            return null;
        }
        var text = value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        };
        if (text is not null && Durations.TryParse(text, out var duration) && duration >= TimeSpan.Zero)
        {
            return duration;
        }
        TypeError(key, "a duration such as \"5s\" or \"250ms\", or integer nanoseconds");
        return null;
    }

    public SpecReader? Object(string key)
    {
        if (!TryGet(key, out var value))
        {
            return null;
        }
        if (value.ValueKind != JsonValueKind.Object)
        {
            TypeError(key, "an object");
            return null;
        }
        return new SpecReader(value, Field(key), _diagnostics);
    }

    /// <summary>A list of objects; each comes with its own reader (path <c>key[i]</c>).</summary>
    public IReadOnlyList<SpecReader>? Objects(string key)
    {
        if (!TryGetArray(key, out var array))
        {
            return null;
        }
        var readers = new List<SpecReader>();
        var index = 0;
        foreach (var item in array.EnumerateArray())
        {
            var path = $"{Field(key)}[{index++}]";
            if (item.ValueKind != JsonValueKind.Object)
            {
                _diagnostics.Error(path, "expected an object");
                continue;
            }
            readers.Add(new SpecReader(item, path, _diagnostics));
        }
        return readers;
    }

    public IReadOnlyList<string>? Strings(string key)
    {
        if (!TryGetArray(key, out var array))
        {
            return null;
        }
        var items = new List<string>();
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
            {
                TypeError(key, "a list of strings");
                return null;
            }
            items.Add(item.GetString()!);
        }
        return items;
    }

    public IReadOnlyList<long>? Integers(string key)
    {
        if (!TryGetArray(key, out var array))
        {
            return null;
        }
        var items = new List<long>();
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out var number))
            {
                TypeError(key, "a list of integers");
                return null;
            }
            items.Add(number);
        }
        return items;
    }

    public ValueMap? StringMap(string key)
    {
        if (!TryGet(key, out var value))
        {
            return null;
        }
        if (value.ValueKind != JsonValueKind.Object)
        {
            TypeError(key, "a map of strings");
            return null;
        }
        var pairs = new List<KeyValuePair<string, string>>();
        foreach (var property in value.EnumerateObject())
        {
            if (property.Value.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
            {
                _diagnostics.Error($"{Field(key)}.{property.Name}", "expected a string");
                continue;
            }
            pairs.Add(new(property.Name, property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText()));
        }
        return new ValueMap(pairs);
    }

    /// <summary>Warns about every key this reader's caller never asked for.</summary>
    public void WarnUnknownKeys()
    {
        foreach (var property in _element.EnumerateObject())
        {
            if (!_read.Contains(property.Name))
            {
                _diagnostics.Warning(Field(property.Name), "unknown field, ignored");
            }
        }
    }

    private bool TryGet(string key, out JsonElement value)
    {
        _read.Add(key);
        if (!_element.TryGetProperty(key, out value) || value.ValueKind == JsonValueKind.Null)
        {
            return false;
        }
        // Gloo's protobuf wrapper types arrive as {value: x}; unwrap them wherever a scalar is read.
        if (IsWrapped(value))
        {
            value = value.GetProperty("value");
        }
        return value.ValueKind != JsonValueKind.Null;
    }

    private bool TryGetArray(string key, out JsonElement array)
    {
        if (!TryGet(key, out array))
        {
            return false;
        }
        if (array.ValueKind != JsonValueKind.Array)
        {
            TypeError(key, "a list");
            return false;
        }
        return true;
    }

    private static bool IsWrapped(JsonElement value) =>
        value.ValueKind == JsonValueKind.Object && value.TryGetProperty("value", out _) && CountProperties(value) == 1;

    private static int CountProperties(JsonElement element)
    {
        var count = 0;
        foreach (var unused in element.EnumerateObject())
        {
            count++;
        }
        return count;
    }

    private string Field(string key) => _path.Length == 0 ? key : $"{_path}.{key}";

    private void TypeError(string key, string expected) => _diagnostics.Error(Field(key), $"expected {expected}");
}
