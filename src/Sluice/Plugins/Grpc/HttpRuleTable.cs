namespace Sluice.Plugins.Grpc;

/// <summary>
/// The <c>google.api.http</c> bindings of an upstream's services, ordered once so that the first
/// match is the most specific (more literal segments first, then longer templates, then the
/// order in the descriptors), and matched per request without allocating.
/// </summary>
internal sealed class HttpRuleTable
{
    private readonly HttpBinding[] _bindings;

    public HttpRuleTable(IEnumerable<HttpBinding> bindings)
    {
        _bindings = [.. bindings
            .Select((binding, index) => (binding, index))
            .OrderByDescending(b => b.binding.Template!.LiteralCount)
            .ThenByDescending(b => b.binding.Template!.SegmentCount)
            .ThenBy(b => b.binding.Template!.EndsWithAnyPath)
            .ThenBy(b => b.index)
            .Select(b => b.binding)];
        MaxVariables = _bindings.Length == 0 ? 0 : _bindings.Max(b => b.Variables.Length);
    }

    public static HttpRuleTable Empty { get; } = new([]);

    public int Count => _bindings.Length;

    public IReadOnlyList<HttpBinding> Bindings => _bindings;

    /// <summary>The most variables any template has: the size of the span <see cref="Match"/> fills.</summary>
    public int MaxVariables { get; }

    /// <summary>
    /// The binding for a request, its variables' values written to <paramref name="values"/>;
    /// null when none matches. <paramref name="pathMatched"/> tells a wrong verb from an unknown path.
    /// </summary>
    public HttpBinding? Match(string verb, string path, Span<Range> values, out bool pathMatched)
    {
        pathMatched = false;
        foreach (var binding in _bindings)
        {
            if (!binding.Template!.TryMatch(path, values))
            {
                continue;
            }
            pathMatched = true;
            if (string.Equals(binding.Verb, verb, StringComparison.OrdinalIgnoreCase))
            {
                return binding;
            }
        }
        return null;
    }
}
