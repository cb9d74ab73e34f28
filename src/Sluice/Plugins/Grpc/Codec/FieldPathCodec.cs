using System.Buffers;
using System.Text;
using System.Text.Json;
using Google.Protobuf.Reflection;

namespace Sluice.Plugins.Grpc.Codec;

/// <summary>
/// One (possibly nested) field of a message, compiled from a dotted path by
/// <see cref="MessageCodec.CompileFieldPath"/>. Each method encodes a whole message of the root type in
/// which only this field is set; concatenate the results with the body's encoding to merge them
/// (protobuf merge semantics: the last scalar wins, repeated fields append, messages merge).
/// </summary>
public sealed class FieldPathCodec
{
    private readonly FieldCodec[] _fields;

    internal FieldPathCodec(MessageCodec root, string path, FieldCodec[] fields)
    {
        Root = root;
        Path = path;
        _fields = fields;
    }

    public MessageCodec Root { get; }

    /// <summary>The path as compiled (<c>shelf.book.id</c>).</summary>
    public string Path { get; }

    /// <summary>The leaf field's descriptor.</summary>
    public FieldDescriptor Leaf => _fields[^1].Descriptor;

    /// <summary>
    /// Encodes the field from URL text (a path variable or query parameter value), by the proto3 JSON
    /// rules for a string: numbers (exponents allowed for integral values), NaN/Infinity, true/false,
    /// enum names or numbers, base64 bytes (standard or URL-safe, padded or not), the string itself, and
    /// Timestamp, Duration, FieldMask and the wrappers from their string forms. A repeated leaf gets one
    /// element per call. The value is written even when it is the default, so it overrides the body.
    /// </summary>
    /// <exception cref="ProtoJsonException">The text does not fit the field, or the field (a map, a message) has no text form.</exception>
    public void TextToProto(ReadOnlySpan<char> text, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var context = CodecContext.Rent();
        byte[]? rented = null;
        try
        {
            var byteCount = Encoding.UTF8.GetByteCount(text);
            Span<byte> utf8 = byteCount <= 256 ? stackalloc byte[byteCount] : (rented = ArrayPool<byte>.Shared.Rent(byteCount)).AsSpan(0, byteCount);
            Encoding.UTF8.GetBytes(text, utf8);
            var buffer = context.Buffer;
            Span<int> starts = stackalloc int[_fields.Length];
            for (var i = 0; i < _fields.Length - 1; i++)
            {
                buffer.WriteTag(_fields[i].DelimitedTag);
                starts[i] = buffer.BeginDelimited();
            }
            WriteText(_fields[^1], utf8, context);
            for (var i = _fields.Length - 2; i >= 0; i--)
            {
                buffer.EndDelimited(starts[i]);
            }
            buffer.CopyTo(output);
        }
        catch (CodecFailure failure)
        {
            throw new ProtoJsonException(Path, failure.Message);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
            context.Return();
        }
    }

    /// <summary>
    /// Encodes the field from a JSON value (<c>google.api.http</c>'s <c>body: "field"</c>): an object for a
    /// message, an array for a repeated field, and so on.
    /// </summary>
    /// <exception cref="ProtoJsonException">The JSON is malformed or does not fit the field; names it.</exception>
    public void JsonToProto(ReadOnlySpan<byte> utf8Json, IBufferWriter<byte> output, ProtoJsonReadOptions options)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(options);
        JsonToProtoReader.Convert(Root, _fields, utf8Json, output, options);
    }

    /// <summary>
    /// Writes only this field's value of the message encoded in <paramref name="proto"/>
    /// (<c>google.api.http</c>'s <c>response_body</c>). An absent field is written as its default
    /// (<c>null</c> for a message, <c>[]</c>/<c>{}</c> for repeated fields and maps).
    /// </summary>
    public void ProtoToJson(ReadOnlySequence<byte> proto, Utf8JsonWriter writer, ProtoJsonWriteOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(options);
        ProtoToJsonWriter.Convert(Root, _fields, proto, writer, options);
    }

    private static void WriteText(FieldCodec field, ReadOnlySpan<byte> text, CodecContext context)
    {
        var buffer = context.Buffer;
        if (field.IsMap)
        {
            throw new CodecFailure("a map field cannot be set from text");
        }
        if (field.IsMessage)
        {
            var message = field.Message!;
            buffer.WriteTag(field.DelimitedTag);
            var start = buffer.BeginDelimited();
            if (message.WellKnown is >= WellKnownType.DoubleValue)
            {
                WriteScalarText(message.Fields[0], text, context, skipDefault: true);
            }
            else if (message.WellKnown is WellKnownType.Timestamp or WellKnownType.Duration or WellKnownType.FieldMask)
            {
                JsonToProtoReader.WriteWellKnownText(message, text, context);
            }
            else
            {
                throw new CodecFailure($"the field is a message ({message.FullName}) and cannot be set from text");
            }
            buffer.EndDelimited(start);
            return;
        }
        WriteScalarText(field, text, context, skipDefault: false);
    }

    private static void WriteScalarText(FieldCodec field, ReadOnlySpan<byte> text, CodecContext context, bool skipDefault)
    {
        var buffer = context.Buffer;
        switch (field.Type)
        {
            case FieldType.String:
                if (!skipDefault || text.Length > 0)
                {
                    buffer.WriteTag(field.Tag);
                    buffer.WriteDelimited(text);
                }
                return;
            case FieldType.Bytes:
            {
                var mark = buffer.Length;
                buffer.WriteTag(field.Tag);
                var scratch = context.Scratch(text.Length);
                var reason = ScalarText.TryWriteBase64(text, buffer, scratch);
                if (reason is not null)
                {
                    throw new CodecFailure(reason);
                }
                if (skipDefault && buffer.Length == mark + ProtoBuffer.VarintSize(field.Tag) + 1)
                {
                    buffer.Truncate(mark);
                }
                return;
            }
            case FieldType.Bool:
            {
                var reason = ScalarText.TryParseBool(text, out var value);
                if (reason is not null)
                {
                    throw new CodecFailure(reason);
                }
                if (!skipDefault || value)
                {
                    JsonToProtoReader.WriteBits(buffer, field, value ? 1UL : 0UL);
                }
                return;
            }
            case FieldType.Enum:
            {
                if (!field.Enum!.TryGetNumber(text, out var number))
                {
                    var reason = ScalarText.TryParseNumber(FieldType.Enum, text, quoted: true, out var bits);
                    if (reason is not null)
                    {
                        throw new CodecFailure($"unknown value \"{ScalarText.Show(text)}\" for enum {field.Enum.FullName}");
                    }
                    number = (int)(long)bits;
                }
                JsonToProtoReader.WriteBits(buffer, field, (ulong)(long)number);
                return;
            }
            default:
            {
                var reason = ScalarText.TryParseNumber(field.Type, text, quoted: true, out var bits);
                if (reason is not null)
                {
                    throw new CodecFailure(reason);
                }
                // skipDefault is for a wrapper's value, whose default Google.Protobuf tests bitwise.
                if (!skipDefault || bits != 0)
                {
                    JsonToProtoReader.WriteBits(buffer, field, bits);
                }
                return;
            }
        }
    }
}
