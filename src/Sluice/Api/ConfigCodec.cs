using System.Text.Json.Nodes;
using Sluice.Api.Codec;

namespace Sluice.Api;

/// <summary>
/// Reads and writes v1 objects as YAML (snake_case) and JSON. Reading is strict about top-level
/// fields (an unknown one is an error naming it) and lenient where Gloo was: durations as
/// <c>"5s"</c> or integer nanoseconds, wrapped scalars as <c>x: v</c> or <c>x: {value: v}</c>.
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
    /// document with <c>type</c> is an upstream, one without is a virtual service; Gloo's
    /// <c>{upstreams: [...], virtual_services: [...]}</c> form is read too.
    /// </summary>
    public static IReadOnlyList<DecodedDocument> ReadMixedDocuments(string text, string source) =>
        DocumentDecoder.ReadMixed(text, source);

    /// <summary>Reads a secret: a flat YAML map of strings. Throws <see cref="ConfigException"/>.</summary>
    public static ValueMap ReadSecret(string text, string source) => SecretReader.Read(text, source);

    /// <summary>The object as YAML, snake_case, status and metadata included.</summary>
    public static string ToYaml(IConfigObject obj) => YamlText.Write(ConfigJson.Write(obj));

    /// <summary>The object as a JSON tree, snake_case (admin API, <c>-o json</c>).</summary>
    public static JsonObject ToJson(IConfigObject obj) => ConfigJson.Write(obj);
}
