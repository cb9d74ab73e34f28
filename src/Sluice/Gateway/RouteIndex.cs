using Microsoft.AspNetCore.Http;
using Sluice.Plan;

namespace Sluice.Gateway;

/// <summary>
/// A host's routes indexed by literal path, so finding the route costs about the same at 10,000
/// routes as at one, while the answer stays Gloo's: the first route in config order whose every
/// condition matches.
/// </summary>
/// <remarks>
/// <para>
/// Prefix and exact paths go into a radix tree (edges labelled with literal strings, compared
/// ordinally as the matcher does). A route sits at the node its path ends at, in one of two
/// ascending lists of route positions: <c>Prefix</c> (matches any path through the node) and
/// <c>Exact</c> (matches a path ending there). Regex paths cannot be indexed: they stay in one
/// ascending <c>Scan</c> list and are tried where they sit in config order.
/// </para>
/// <para>
/// Why first-match order holds without merging the lists: the route Gloo picks is the lowest
/// position among the routes that match. Every route whose path matches the request is in one of
/// the lists visited (the nodes along the path, the exact list of the node the path ends at, the
/// scan list), and each list is ascending, so the first route of a list whose other conditions
/// (method, event type, headers, query; regex path for the scan list) match is that list's
/// lowest match. The lowest over the lists is the answer. A list stops as soon as it reaches a
/// position at or past the best found so far, so a route after the winner is never tested
/// (conditions have no side effects, so testing a few candidates out of order changes nothing).
/// The nodes are visited deepest first: specific routes usually come before catch-alls.
/// </para>
/// <para>
/// Written here rather than taken from a library: ASP.NET's DFA matcher ranks by precedence and
/// matches literals case-insensitively (see docs/architecture.md); the tree is ~100 lines.
/// </para>
/// </remarks>
internal sealed class RouteIndex
{
    private readonly RoutePlan[] _routes;
    private readonly Node _root;
    private readonly int[] _scan;

    public RouteIndex(IReadOnlyList<RoutePlan> routes)
    {
        _routes = routes.ToArray();
        var root = new Builder();
        var scan = new List<int>();
        for (var i = 0; i < _routes.Length; i++)
        {
            var match = _routes[i].Match;
            switch (match.PathKind)
            {
                case PathMatchKind.Prefix:
                    root.At(match.Path).Prefix.Add(i);
                    break;
                case PathMatchKind.Exact:
                    root.At(match.Path).Exact.Add(i);
                    break;
                default:
                    scan.Add(i);
                    break;
            }
        }
        _root = root.Compress("");
        _scan = scan.ToArray();
    }

    public IReadOnlyList<RoutePlan> Routes => _routes;

    /// <summary>The position of the first route in config order that matches, or -1.</summary>
    public int FirstMatch(HttpRequest request, bool isPreflight)
    {
        var best = int.MaxValue;
        Walk(_root, (request.Path.Value ?? "/").AsSpan(), request, isPreflight, ref best);
        var scan = _scan;
        for (var i = 0; i < scan.Length && scan[i] < best; i++)
        {
            if (RouteMatcher.Matches(_routes[scan[i]], request, isPreflight))
            {
                best = scan[i];
                break;
            }
        }
        return best == int.MaxValue ? -1 : best;
    }

    /// <summary><paramref name="rest"/> is the path after <paramref name="node"/>'s label.</summary>
    private void Walk(Node node, ReadOnlySpan<char> rest, HttpRequest request, bool isPreflight, ref int best)
    {
        if (rest.IsEmpty)
        {
            Try(node.Exact, request, isPreflight, ref best);
        }
        else if (node.Child(rest[0]) is { } child && rest.StartsWith(child.Label, StringComparison.Ordinal))
        {
            Walk(child, rest[child.Label.Length..], request, isPreflight, ref best);
        }
        Try(node.Prefix, request, isPreflight, ref best);
    }

    /// <summary>The list's first route (below <paramref name="best"/>) whose conditions besides the path match.</summary>
    private void Try(int[] positions, HttpRequest request, bool isPreflight, ref int best)
    {
        for (var i = 0; i < positions.Length && positions[i] < best; i++)
        {
            if (RouteMatcher.MatchesBesidesPath(_routes[positions[i]], request, isPreflight))
            {
                best = positions[i];
                return;
            }
        }
    }

    /// <summary>An immutable radix-tree node: children by the first character of their label, in ordinal order.</summary>
    private sealed class Node(string label, char[] firsts, Node[] children, int[] prefix, int[] exact)
    {
        public string Label { get; } = label;

        public int[] Prefix { get; } = prefix;

        public int[] Exact { get; } = exact;

        public Node? Child(char first)
        {
            var at = Array.BinarySearch(firsts, first);
            return at >= 0 ? children[at] : null;
        }
    }

    /// <summary>A character trie while routes are added; compressed into <see cref="Node"/>s once.</summary>
    private sealed class Builder
    {
        private readonly SortedDictionary<char, Builder> _children = [];

        public List<int> Prefix { get; } = [];

        public List<int> Exact { get; } = [];

        public Builder At(string path)
        {
            var node = this;
            foreach (var c in path)
            {
                if (!node._children.TryGetValue(c, out var next))
                {
                    node._children[c] = next = new Builder();
                }
                node = next;
            }
            return node;
        }

        /// <summary>Chains of route-less single-child nodes become one edge label.</summary>
        public Node Compress(string label)
        {
            var firsts = new char[_children.Count];
            var children = new Node[_children.Count];
            var i = 0;
            foreach (var (c, child) in _children)
            {
                var edge = new System.Text.StringBuilder().Append(c);
                var end = child;
                while (end._children.Count == 1 && end.Prefix.Count == 0 && end.Exact.Count == 0)
                {
                    var (next, nextNode) = end._children.First();
                    edge.Append(next);
                    end = nextNode;
                }
                firsts[i] = c;
                children[i] = end.Compress(edge.ToString());
                i++;
            }
            return new Node(label, firsts, children, [.. Prefix], [.. Exact]);
        }
    }
}
