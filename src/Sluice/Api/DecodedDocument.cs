namespace Sluice.Api;

/// <summary>
/// One YAML/JSON document of a file: the object it holds, or the error that kept it from being
/// read. <see cref="Name"/> is known whenever the document had a readable <c>name</c>, even if
/// another field failed, so the error can be reported against that object.
/// </summary>
public sealed record DecodedDocument
{
    public IConfigObject? Object { get; init; }

    public ConfigError? Error { get; init; }

    public ConfigKind? Kind { get; init; }

    public string? Name { get; init; }

    /// <summary>1-based first and last line of the document in its source text.</summary>
    public int StartLine { get; init; }

    public int EndLine { get; init; }
}
