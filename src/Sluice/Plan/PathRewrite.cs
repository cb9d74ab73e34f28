namespace Sluice.Plan;

/// <summary>The one rule for replacing a route's matched prefix, shared by forwarding and redirects.</summary>
public static class PathRewrite
{
    /// <summary>
    /// Replaces the matched prefix (or, for an exact route, the whole path). A replacement ending
    /// in '/' swallows the slash that follows the prefix, so "/api/" + "/x" gives "/x", not "//x".
    /// </summary>
    public static string ReplacePrefix(RouteMatchPlan match, string replacement, string path)
    {
        if (match.PathKind == PathMatchKind.Exact)
        {
            return replacement;
        }
        var rest = path.AsSpan(Math.Min(match.Path.Length, path.Length));
        if (replacement.EndsWith('/') && rest.StartsWith('/'))
        {
            rest = rest[1..];
        }
        return string.Concat(replacement.AsSpan(), rest);
    }
}
