namespace Sluice.Api.Codec;

/// <summary>Lines <see cref="First"/>..<see cref="Last"/> (0-based, inclusive) of a text: one or more YAML documents.</summary>
internal readonly record struct TextChunk(int First, int Last);
