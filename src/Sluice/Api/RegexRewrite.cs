namespace Sluice.Api;

/// <summary>Rewrites the path: every match of <see cref="Pattern"/> is replaced (<c>$1</c> names a group).</summary>
public sealed record RegexRewrite
{
    public string Pattern { get; init; } = "";

    public string Substitution { get; init; } = "";
}
