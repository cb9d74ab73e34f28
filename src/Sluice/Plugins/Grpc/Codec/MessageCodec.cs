using System.Buffers;
using System.Collections.Frozen;
using System.Text;
using System.Text.Json;
using Google.Protobuf.Reflection;

namespace Sluice.Plugins.Grpc.Codec;

/// <summary>
/// Converts one message type between protobuf wire format and the proto3 JSON mapping. Compiled by
/// <see cref="ProtoCodecSet.Compile"/>; thread-safe and reusable.
/// </summary>
/// <remarks>
/// Encoded messages can be merged by concatenating their bytes (protobuf merge semantics: the last value
/// of a scalar field wins, repeated fields append, message fields merge). A caller that fills a request
/// from a JSON body and from path and query parameters therefore encodes each part on its own
/// (<see cref="JsonToProto"/>, <see cref="FieldPathCodec.TextToProto"/>) into the same buffer.
/// </remarks>
public sealed class MessageCodec
{
    // Files whose messages Google.Protobuf's JsonFormatter embeds in an Any as {"@type", "value"}.
    private static readonly FrozenSet<string> WellKnownFiles = new[]
    {
        "google/protobuf/any.proto", "google/protobuf/api.proto", "google/protobuf/duration.proto",
        "google/protobuf/empty.proto", "google/protobuf/field_mask.proto", "google/protobuf/source_context.proto",
        "google/protobuf/struct.proto", "google/protobuf/timestamp.proto", "google/protobuf/type.proto",
        "google/protobuf/wrappers.proto",
    }.ToFrozenSet(StringComparer.Ordinal);

    private FieldCodec[] _fields = [];
    private FrozenDictionary<string, FieldCodec>.AlternateLookup<ReadOnlySpan<char>> _byName;
    private FieldCodec?[] _byNumber = [];
    private FrozenDictionary<int, FieldCodec> _bySparseNumber = FrozenDictionary<int, FieldCodec>.Empty;
    private int _longestName;

    internal MessageCodec(MessageDescriptor descriptor, ProtoCodecSet set)
    {
        Descriptor = descriptor;
        Set = set;
        FullName = descriptor.FullName;
        WellKnown = WellKnownOf(FullName);
        IsWellKnownFile = WellKnownFiles.Contains(descriptor.File.Name);
        TypeUrl = "type.googleapis.com/" + FullName;
    }

    public MessageDescriptor Descriptor { get; }

    internal ProtoCodecSet Set { get; }

    internal string FullName { get; }

    internal string TypeUrl { get; }

    internal WellKnownType WellKnown { get; }

    /// <summary>Embedded in an Any as <c>{"@type": …, "value": …}</c> rather than by its fields.</summary>
    internal bool IsWellKnownFile { get; }

    /// <summary>In field-number order, which is the order JSON is written in.</summary>
    internal FieldCodec[] Fields => _fields;

    /// <summary>Names of the message's real oneofs, by <see cref="FieldCodec.OneofIndex"/>.</summary>
    internal string[] OneofNames { get; private set; } = [];

    /// <summary>
    /// Converts one JSON value (an object, or the special form of a well-known type) to this message's
    /// protobuf wire bytes, appended to <paramref name="output"/>. Fields are written in the order the
    /// JSON gives them; for JSON written in field-number order (as Google.Protobuf and this codec write it)
    /// the bytes equal Google.Protobuf's own serialization of the same message.
    /// </summary>
    /// <exception cref="ProtoJsonException">The JSON is malformed or does not fit the message; names the field.</exception>
    public void JsonToProto(ReadOnlySpan<byte> utf8Json, IBufferWriter<byte> output, ProtoJsonReadOptions options)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(options);
        JsonToProtoReader.Convert(this, path: null, utf8Json, output, options);
    }

    /// <summary>Writes the message encoded in <paramref name="proto"/> as one JSON value. Unknown fields are skipped.</summary>
    /// <exception cref="ProtoJsonException">The bytes are not a valid encoding of this message; names the field.</exception>
    public void ProtoToJson(ReadOnlySequence<byte> proto, Utf8JsonWriter writer, ProtoJsonWriteOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(options);
        ProtoToJsonWriter.Convert(this, path: null, proto, writer, options);
    }

    /// <summary>
    /// Compiles a dotted field path (<c>shelf.book.id</c>, by proto field names; JSON names are accepted
    /// too) into a codec for that one field, for path variables, query parameters and
    /// <c>google.api.http</c>'s <c>body</c>/<c>response_body</c>. Do this when the route is planned.
    /// </summary>
    /// <exception cref="ProtoJsonException">A segment is unknown, or a segment before the last is repeated, a map or not a message.</exception>
    public FieldPathCodec CompileFieldPath(string dottedPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(dottedPath);
        var segments = dottedPath.Split('.');
        var fields = new FieldCodec[segments.Length];
        var message = this;
        for (var i = 0; i < segments.Length; i++)
        {
            var prefix = string.Join('.', segments, 0, i + 1);
            if (message is null)
            {
                throw new ProtoJsonException(prefix, $"'{segments[i - 1]}' is not a message, so it has no field '{segments[i]}'");
            }
            if (!message.TryGetField(segments[i], out var field))
            {
                throw new ProtoJsonException(prefix, $"message {message.FullName} has no field '{segments[i]}'");
            }
            if (i < segments.Length - 1 && (field.IsRepeated || field.IsMap))
            {
                throw new ProtoJsonException(prefix, $"'{segments[i]}' is {(field.IsMap ? "a map" : "repeated")}; only the last segment of a field path may be");
            }
            fields[i] = field;
            message = field.IsMessage && !field.IsMap ? field.Message : null;
        }
        return new FieldPathCodec(this, dottedPath, fields);
    }

    internal bool TryGetField(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out FieldCodec? field) =>
        _byName.TryGetValue(name.AsSpan(), out field);

    /// <summary>Looks a JSON property name (UTF-8, unescaped) up among JSON names and original proto names.</summary>
    internal FieldCodec? FindField(ReadOnlySpan<byte> utf8Name)
    {
        if (utf8Name.Length == 0 || utf8Name.Length > _longestName * 3)
        {
            return null;
        }
        Span<char> chars = stackalloc char[utf8Name.Length];
        if (!Encoding.UTF8.TryGetChars(utf8Name, chars, out var written))
        {
            return null;
        }
        return _byName.TryGetValue(chars[..written], out var field) ? field : null;
    }

    internal FieldCodec? FindField(int number)
    {
        if ((uint)number < (uint)_byNumber.Length)
        {
            return _byNumber[number];
        }
        return _bySparseNumber.TryGetValue(number, out var field) ? field : null;
    }

    internal void LinkFields(Dictionary<string, MessageCodec> messages, Dictionary<string, EnumCodec> enums, ProtoCodecSet set)
    {
        var realOneofs = Descriptor.Oneofs.Where(o => !o.IsSynthetic).ToList();
        OneofNames = realOneofs.Select(o => o.Name).ToArray();
        var ordered = Descriptor.Fields.InFieldNumberOrder();
        var fields = new FieldCodec[ordered.Count];
        for (var i = 0; i < fields.Length; i++)
        {
            var descriptor = ordered[i];
            var oneof = descriptor.RealContainingOneof;
            fields[i] = new FieldCodec(descriptor, i, oneof is null ? -1 : realOneofs.IndexOf(oneof));
        }
        foreach (var field in fields)
        {
            MessageCodec? message = null;
            EnumCodec? enumCodec = null;
            if (field.Type is FieldType.Message or FieldType.Group)
            {
                var type = field.Descriptor.MessageType;
                if (!messages.TryGetValue(type.FullName, out message))
                {
                    message = new MessageCodec(type, set);
                    messages.Add(type.FullName, message);
                    message.LinkFields(messages, enums, set);
                }
            }
            else if (field.Type == FieldType.Enum)
            {
                var type = field.Descriptor.EnumType;
                if (!enums.TryGetValue(type.FullName, out enumCodec))
                {
                    enumCodec = new EnumCodec(type);
                    enums.Add(type.FullName, enumCodec);
                }
            }
            field.Link(message, enumCodec);
        }
        _fields = fields;

        var byName = new Dictionary<string, FieldCodec>(StringComparer.Ordinal);
        foreach (var field in fields)
        {
            byName.TryAdd(field.JsonName, field);
        }
        foreach (var field in fields)
        {
            byName.TryAdd(field.ProtoName, field);
        }
        _longestName = byName.Count == 0 ? 0 : byName.Keys.Max(k => k.Length);
        _byName = byName.ToFrozenDictionary(StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();

        // Field numbers are usually small and dense: index them by array; the rest by a frozen dictionary.
        var dense = fields.Where(f => f.Number < 256).ToList();
        _byNumber = new FieldCodec?[dense.Count == 0 ? 0 : dense.Max(f => f.Number) + 1];
        foreach (var field in dense)
        {
            _byNumber[field.Number] = field;
        }
        _bySparseNumber = fields.Where(f => f.Number >= 256).ToFrozenDictionary(f => f.Number);
    }

    /// <summary>Map entries are linked after their fields exist; called once all messages are linked.</summary>
    internal void LinkMapEntries()
    {
        foreach (var field in _fields)
        {
            if (field.IsMap)
            {
                var entry = field.Message!;
                field.LinkMap(entry.FindField(1)!, entry.FindField(2)!);
            }
        }
    }

    private static WellKnownType WellKnownOf(string fullName) => fullName switch
    {
        "google.protobuf.Any" => WellKnownType.Any,
        "google.protobuf.Timestamp" => WellKnownType.Timestamp,
        "google.protobuf.Duration" => WellKnownType.Duration,
        "google.protobuf.FieldMask" => WellKnownType.FieldMask,
        "google.protobuf.Struct" => WellKnownType.Struct,
        "google.protobuf.Value" => WellKnownType.Value,
        "google.protobuf.ListValue" => WellKnownType.ListValue,
        "google.protobuf.DoubleValue" => WellKnownType.DoubleValue,
        "google.protobuf.FloatValue" => WellKnownType.FloatValue,
        "google.protobuf.Int64Value" => WellKnownType.Int64Value,
        "google.protobuf.UInt64Value" => WellKnownType.UInt64Value,
        "google.protobuf.Int32Value" => WellKnownType.Int32Value,
        "google.protobuf.UInt32Value" => WellKnownType.UInt32Value,
        "google.protobuf.BoolValue" => WellKnownType.BoolValue,
        "google.protobuf.StringValue" => WellKnownType.StringValue,
        "google.protobuf.BytesValue" => WellKnownType.BytesValue,
        _ => WellKnownType.None,
    };
}
