using Sluice.Api;

namespace Sluice.Storage;

/// <summary>The document that defines an object (the first one carrying its name), and the file around it.</summary>
/// <param name="Text">The whole file's text, as decoded for parsing.</param>
/// <param name="DocumentCount">How many documents the file holds, this one included.</param>
internal sealed record ObjectDefinition(ObjectKey Key, SourceFile File, string Text, DecodedDocument Document, int DocumentCount);
