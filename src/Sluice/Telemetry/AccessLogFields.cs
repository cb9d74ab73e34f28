using System.Text.Json;

namespace Sluice.Telemetry;

/// <summary>Access log field names (snake_case, as written) and the allow-list check.</summary>
public static class AccessLogFields
{
    private static readonly AccessLogField[] Values = Enum.GetValues<AccessLogField>();

    /// <summary>Every field, in the order lines carry them.</summary>
    public static IReadOnlyList<string> All { get; } = Values.Select(NameOf).ToArray();

    /// <summary>
    /// The allowed fields, in line order; null selects all. An unknown name is an error that
    /// lists the known ones.
    /// </summary>
    internal static AccessLogField[] Select(IReadOnlyList<string>? names)
    {
        if (names is null)
        {
            return Values;
        }
        var selected = new HashSet<AccessLogField>();
        foreach (var name in names)
        {
            var index = IndexOf(name.Trim());
            if (index < 0)
            {
                throw new ArgumentException($"access log field '{name}' is unknown; known fields: {string.Join(", ", All)}");
            }
            selected.Add(Values[index]);
        }
        return Values.Where(selected.Contains).ToArray();
    }

    /// <summary>Null when every name is known, else why not.</summary>
    public static string? Check(IReadOnlyList<string> names)
    {
        try
        {
            Select(names);
            return null;
        }
        catch (ArgumentException e)
        {
            return e.Message;
        }
    }

    internal static JsonEncodedText EncodedName(AccessLogField field) => EncodedNames[(int)field];

    private static readonly JsonEncodedText[] EncodedNames = Values.Select(v => JsonEncodedText.Encode(NameOf(v))).ToArray();

    private static int IndexOf(string name)
    {
        for (var i = 0; i < Values.Length; i++)
        {
            if (string.Equals(All[i], name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary><c>BytesSent</c> → <c>bytes_sent</c>.</summary>
    private static string NameOf(AccessLogField field) => JsonNamingPolicy.SnakeCaseLower.ConvertName(field.ToString());
}
