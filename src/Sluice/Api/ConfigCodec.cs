using System.Text.Json.Nodes;
using Sluice.Api.Codec;

namespace Sluice.Api;

/// <summary>
/// Reads and writes v1 objects as YAML (snake_case) and JSON. Reading is strict about every typed
/// structure (an unknown field is an error naming it, its line and the closest known name) and
/// lenient where Gloo was: durations as <c>"5s"</c> or integer nanoseconds, wrapped scalars as
/// <c>x: v</c> or <c>x: {value: v}</c>. Free-form parts (<c>spec</c>, <c>extensions</c>,
/// <c>properties</c>) follow the YAML 1.2 core schema. The implementation lives in <c>Api/Codec/</c>.
/// </summary>
public static class ConfigCodec
{
    /// <summary>
    /// Reads every document (<c>---</c> separated) of a YAML or JSON text holding objects of one
    /// kind. Never throws for bad input: each document yields its object or its error.
    /// </summary>
    public static IReadOnlyList<DecodedDocument> ReadDocuments(string text, ConfigKind kind, string source) =>
        DocumentDecoder.Read(text, kind, source);

    /// <summary>
    /// Like <see cref="ReadDocuments"/> for texts mixing kinds (<c>sluice apply -f</c>): a
    /// document with <c>type</c> is an upstream, one without is a virtual service (unless it has
    /// only upstream fields such as <c>spec</c>, then it is an upstream missing its type); Gloo's
    /// <c>{upstreams: [...], virtual_services: [...]}</c> form is read too, one decoded document
    /// per item, each with the item's own lines.
    /// </summary>
    public static IReadOnlyList<DecodedDocument> ReadMixedDocuments(string text, string source) =>
        DocumentDecoder.ReadMixed(text, source);

    /// <summary>Reads a secret: a flat YAML map of strings. Throws <see cref="ConfigException"/>.</summary>
    public static ValueMap ReadSecret(string text, string source) => SecretReader.Read(text, source);

    /// <summary>
    /// The object as block YAML, snake_case, status and metadata included. Strings are quoted only
    /// when a YAML reader (1.2 core schema, or YAML 1.1 like Go's yaml.v2) would read them as
    /// something else (<c>'8080'</c>, <c>'true'</c>, <c>'yes'</c>) or their characters need it.
    /// </summary>
    public static string ToYaml(IConfigObject obj) => YamlText.Write(ConfigJson.Write(obj));

    /// <summary>The object as a JSON tree, snake_case (admin API, <c>-o json</c>).</summary>
    public static JsonObject ToJson(IConfigObject obj) => ConfigJson.Write(obj);

    /// <summary>
    /// The JSON Schema of one kind's files, generated from the model the readers read with
    /// (<see cref="Codec.Shapes"/>), for editors and CI (<c>sluice schema</c>, <c>schema/</c>).
    /// </summary>
    public static JsonObject JsonSchema(ConfigKind kind) => ConfigSchema.Generate(kind);

    /// <summary>Line and column of a field (dotted path) in the document starting at <paramref name="documentStartLine"/>.</summary>
    public static (int Line, int Column)? LocateField(string text, string source, int documentStartLine, string fieldPath) =>
        FieldLocator.Locate(text, source, documentStartLine, fieldPath);
}
