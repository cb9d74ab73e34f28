namespace Sluice.Api;

/// <summary>At most one path specifier; headers, query parameters and verbs all must match.</summary>
public sealed record RequestMatcher
{
    public string? PathPrefix { get; init; }

    public string? PathRegex { get; init; }

    public string? PathExact { get; init; }

    /// <summary><c>""</c>: present; a value containing <c>.*</c>: a regex; otherwise exact.</summary>
    public ValueMap Headers { get; init; } = ValueMap.Empty;

    /// <summary>Same rules as <see cref="Headers"/>.</summary>
    public ValueMap QueryParams { get; init; } = ValueMap.Empty;

    public ValueList<string> Verbs { get; init; } = ValueList<string>.Empty;
}
