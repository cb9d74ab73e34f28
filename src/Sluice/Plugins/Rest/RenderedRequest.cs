namespace Sluice.Plugins.Rest;

/// <summary>One request's rendered templates, applied by <see cref="RestInvoker"/> (body) and <see cref="RestTransformer"/> (the rest).</summary>
internal sealed class RenderedRequest
{
    public string? Path { get; init; }

    public string? Method { get; init; }

    public required (string Name, string Value)[] Headers { get; init; }

    /// <summary>The body to send instead of the client's: rendered, or the client's own once it had to be read.</summary>
    public byte[]? Body { get; init; }

    public bool RemoveBody { get; init; }
}
