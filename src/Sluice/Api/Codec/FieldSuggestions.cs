namespace Sluice.Api.Codec;

/// <summary>Finds the known field a misspelt one most likely meant.</summary>
internal static class FieldSuggestions
{
    public static string? Closest(string unknown, IReadOnlyList<string> known)
    {
        // camelCase is how protobuf's JSON names these fields; say which snake_case name to use.
        var snake = ToSnakeCase(unknown);
        foreach (var candidate in known)
        {
            if (string.Equals(candidate, snake, StringComparison.OrdinalIgnoreCase))
            {
                return candidate;
            }
        }
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in known)
        {
            var distance = Distance(unknown.ToLowerInvariant(), candidate);
            if (distance < bestDistance && distance <= 2 && distance * 2 < candidate.Length)
            {
                best = candidate;
                bestDistance = distance;
            }
        }
        return best;
    }

    /// <summary>Edit distance counting a swap of neighbours as one edit ("spce" → "spec").</summary>
    public static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }
        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }
        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }
        return d[a.Length, b.Length];
    }

    private static string ToSnakeCase(string name)
    {
        var text = new System.Text.StringBuilder(name.Length + 4);
        foreach (var c in name)
        {
            if (char.IsAsciiLetterUpper(c) && text.Length > 0)
            {
                text.Append('_');
            }
            text.Append(c == '-' ? '_' : char.ToLowerInvariant(c));
        }
        return text.ToString();
    }
}
