using System.Text.Json.Nodes;

namespace Sluice.IntegrationTests.Kubernetes;

/// <summary>
/// The fake API server's <c>labelSelector</c>: the equality-based requirements of the Kubernetes
/// "Labels and Selectors" reference (<c>k=v</c>, <c>k==v</c>, <c>k!=v</c>, <c>k</c>, <c>!k</c>),
/// comma-separated and all required. Set-based ones (<c>in</c>, <c>notin</c>) are not needed here.
/// </summary>
internal sealed class LabelSelector
{
    private readonly List<Func<IReadOnlyDictionary<string, string>, bool>> _requirements = [];

    public static LabelSelector Parse(string text)
    {
        var selector = new LabelSelector();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (part.Contains("!=", StringComparison.Ordinal))
            {
                var (key, value) = Split(part, "!=");
                selector._requirements.Add(labels => !labels.TryGetValue(key, out var v) || v != value);
            }
            else if (part.Contains('='))
            {
                var (key, value) = Split(part, part.Contains("==", StringComparison.Ordinal) ? "==" : "=");
                selector._requirements.Add(labels => labels.TryGetValue(key, out var v) && v == value);
            }
            else if (part.StartsWith('!'))
            {
                selector._requirements.Add(labels => !labels.ContainsKey(part[1..].Trim()));
            }
            else
            {
                selector._requirements.Add(labels => labels.ContainsKey(part));
            }
        }
        return selector;
    }

    public bool Matches(JsonObject resource)
    {
        var labels = (resource["metadata"]?["labels"] as JsonObject ?? [])
            .ToDictionary(l => l.Key, l => l.Value?.GetValue<string>() ?? "", StringComparer.Ordinal);
        return _requirements.All(r => r(labels));
    }

    private static (string Key, string Value) Split(string part, string op)
    {
        var at = part.IndexOf(op, StringComparison.Ordinal);
        return (part[..at].Trim(), part[(at + op.Length)..].Trim());
    }
}
