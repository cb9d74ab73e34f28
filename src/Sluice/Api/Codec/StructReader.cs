using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Sluice.Api.Codec;

/// <summary>
/// Turns a free-form YAML mapping into a <see cref="Struct"/>. Plain scalars take their YAML 1.2
/// core-schema type (<c>8080</c> a number, <c>true</c> a boolean, <c>~</c> null); quoted and
/// block scalars stay strings; keys are kept as written.
/// </summary>
internal static class StructReader
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // Keeps the raw text readable ('<', '+', non-ASCII); the values are the same either way.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        MaxDepth = YamlLoader.MaxDepth + 8,
    };

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = YamlLoader.MaxDepth + 8 };

    public static Struct Read(ReadContext context, MappingNode node)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            Write(context, writer, node);
        }
        using var document = JsonDocument.Parse(buffer.WrittenMemory, DocumentOptions);
        return new Struct(document.RootElement.Clone());
    }

    private static void Write(ReadContext context, Utf8JsonWriter writer, Node node)
    {
        context.Count(node);
        switch (node)
        {
            case MappingNode mapping:
                writer.WriteStartObject();
                foreach (var (key, value) in mapping.Entries)
                {
                    writer.WritePropertyName(key.Value);
                    Write(context, writer, value);
                }
                writer.WriteEndObject();
                break;
            case SequenceNode sequence:
                writer.WriteStartArray();
                foreach (var item in sequence.Items)
                {
                    Write(context, writer, item);
                }
                writer.WriteEndArray();
                break;
            case ScalarNode scalar:
                WriteScalar(writer, scalar);
                break;
        }
    }

    private static void WriteScalar(Utf8JsonWriter writer, ScalarNode scalar)
    {
        // An explicit !!str (or the non-specific '!') keeps a plain scalar a string.
        var type = scalar.Style == YamlDotNet.Core.ScalarStyle.Plain && scalar.Tag is not ("tag:yaml.org,2002:str" or "!")
            ? CoreSchema.Resolve(scalar.Value)
            : ScalarType.String;
        switch (type)
        {
            case ScalarType.Null:
                writer.WriteNullValue();
                break;
            case ScalarType.Bool:
                writer.WriteBooleanValue(CoreSchema.IsTrue(scalar.Value));
                break;
            case ScalarType.Int or ScalarType.Float when CoreSchema.ToJsonNumber(scalar.Value) is { } number:
                writer.WriteRawValue(number);
                break;
            default:
                // Strings, and .inf/.nan, which JSON has no number for.
                writer.WriteStringValue(scalar.Value);
                break;
        }
    }
}
