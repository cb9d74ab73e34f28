namespace Sluice.Api.Codec;

/// <summary>One parsed document: its root node, or the syntax error that stopped it. Lines are 1-based.</summary>
internal sealed record LoadedDocument(Node? Root, ConfigError? Error, int StartLine, int EndLine);
