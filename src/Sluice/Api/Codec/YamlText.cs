using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Sluice.Api.Codec;

/// <summary>
/// Writes a JSON tree as block-style YAML that reads back to the same values. Strings are
/// quoted only when needed: when YAML would read them as something else (<c>'8080'</c>,
/// <c>'true'</c>, <c>'~'</c>, YAML 1.1's <c>'yes'</c>) or when their characters demand it.
/// Multi-line strings are written as literal blocks so certificates and templates stay legible.
/// </summary>
internal static class YamlText
{
    /// <summary>No folding of long lines: a long regex or URL stays on one line.</summary>
    private const int LineWidth = int.MaxValue / 2;

    public static string Write(JsonNode root)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        var emitter = new Emitter(text, bestIndent: 2, bestWidth: LineWidth, isCanonical: false);
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart(null, null, isImplicit: true));
        Emit(emitter, root);
        emitter.Emit(new DocumentEnd(isImplicit: true));
        emitter.Emit(new StreamEnd());
        return text.ToString();
    }

    private static void Emit(IEmitter emitter, JsonNode? node)
    {
        switch (node)
        {
            case JsonObject json:
                emitter.Emit(new MappingStart(AnchorName.Empty, TagName.Empty, true, json.Count == 0 ? MappingStyle.Flow : MappingStyle.Block));
                foreach (var (key, value) in json)
                {
                    emitter.Emit(String(key, isKey: true));
                    Emit(emitter, value);
                }
                emitter.Emit(new MappingEnd());
                break;
            case JsonArray json:
                emitter.Emit(new SequenceStart(AnchorName.Empty, TagName.Empty, true, json.Count == 0 ? SequenceStyle.Flow : SequenceStyle.Block));
                foreach (var item in json)
                {
                    Emit(emitter, item);
                }
                emitter.Emit(new SequenceEnd());
                break;
            case null:
                emitter.Emit(Plain("null"));
                break;
            default:
                emitter.Emit(node.GetValueKind() switch
                {
                    JsonValueKind.String => String(node.GetValue<string>(), isKey: false),
                    JsonValueKind.True => Plain("true"),
                    JsonValueKind.False => Plain("false"),
                    // A JSON number is already a valid YAML core-schema number, as written.
                    _ => Plain(node.ToJsonString()),
                });
                break;
        }
    }

    private static Scalar Plain(string text) => new(AnchorName.Empty, TagName.Empty, text, ScalarStyle.Plain, true, false);

    private static Scalar String(string text, bool isKey)
    {
        ScalarStyle style;
        if (text.Contains('\n'))
        {
            // The emitter falls back to double quotes where a literal block cannot hold the text.
            style = isKey ? ScalarStyle.DoubleQuoted : ScalarStyle.Literal;
        }
        else if (CoreSchema.NeedsQuotes(text))
        {
            style = text.Any(char.IsControl) ? ScalarStyle.DoubleQuoted : ScalarStyle.SingleQuoted;
        }
        else
        {
            // Plain when the emitter finds it safe (no ': ', '#', leading '-', …), else quoted.
            style = ScalarStyle.Any;
        }
        return new Scalar(AnchorName.Empty, TagName.Empty, text, style, true, true);
    }
}
