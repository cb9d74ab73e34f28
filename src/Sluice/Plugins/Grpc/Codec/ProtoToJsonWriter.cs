using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.Unicode;
using Google.Protobuf.Reflection;

namespace Sluice.Plugins.Grpc.Codec;

/// <summary>
/// Protobuf wire format → proto3 JSON, as Google.Protobuf's JsonFormatter writes it: fields in
/// field-number order under their JSON names, whatever order the wire has them in; the last value of a
/// scalar wins, occurrences of a message field merge, repeated fields collect packed and unpacked runs;
/// unknown fields are skipped. A message is scanned once into (field, offset) entries held in pooled
/// arrays, then written from them.
/// </summary>
internal static class ProtoToJsonWriter
{
    public const int MaxDepth = JsonToProtoReader.MaxDepth;

    private static readonly JsonEncodedText TypeKey = JsonEncodedText.Encode("@type");
    private static readonly JsonEncodedText ValueKey = JsonEncodedText.Encode("value");

    public static void Convert(MessageCodec root, FieldCodec[]? path, ReadOnlySequence<byte> proto, Utf8JsonWriter writer, ProtoJsonWriteOptions options)
    {
        var context = CodecContext.Rent();
        context.WriteOptions = options;
        byte[]? rented = null;
        try
        {
            ReadOnlySpan<byte> data;
            if (proto.IsSingleSegment)
            {
                data = proto.FirstSpan;
            }
            else
            {
                rented = ArrayPool<byte>.Shared.Rent((int)proto.Length);
                proto.CopyTo(rented);
                data = rented.AsSpan(0, (int)proto.Length);
            }
            if (path is null)
            {
                WriteMessage(data, root, writer, context);
            }
            else
            {
                WritePath(data, path, writer, context);
            }
        }
        catch (CodecFailure failure)
        {
            throw new ProtoJsonException(context.RenderPath(default), failure.Message);
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

    /// <summary>google.api.http response_body: only the value of the field at the end of <paramref name="path"/>.</summary>
    private static void WritePath(ReadOnlySpan<byte> data, FieldCodec[] path, Utf8JsonWriter writer, CodecContext context)
    {
        byte[]? merged = null;
        try
        {
            for (var i = 0; i < path.Length; i++)
            {
                var field = path[i];
                context.PushField(field.JsonName);
                var entries = ArrayPool<Entry>.Shared.Rent(8);
                try
                {
                    var count = 0;
                    var reader = new WireReader(data);
                    while (reader.TryReadTag(out var number, out var wireType))
                    {
                        var start = reader.SkipValue(number, wireType, out var length);
                        if (number == field.Number && Accepts(field, wireType))
                        {
                            Add(ref entries, ref count, new Entry(field.Index, start, length, wireType));
                        }
                    }
                    if (i == path.Length - 1)
                    {
                        if (count == 0)
                        {
                            WriteDefault(field, writer, context, absentMessageAsNull: true);
                        }
                        else
                        {
                            WriteFieldValue(data, field, entries.AsSpan(0, count), writer, context);
                        }
                        return;
                    }
                    if (count == 0)
                    {
                        // An absent parent: the leaf has its default value.
                        WriteDefault(path[^1], writer, context, absentMessageAsNull: true);
                        return;
                    }
                    data = MessageBytes(data, entries.AsSpan(0, count), ref merged);
                }
                finally
                {
                    ArrayPool<Entry>.Shared.Return(entries);
                }
            }
        }
        finally
        {
            if (merged is not null)
            {
                ArrayPool<byte>.Shared.Return(merged);
            }
        }
    }

    internal static void WriteMessage(ReadOnlySpan<byte> data, MessageCodec message, Utf8JsonWriter writer, CodecContext context)
    {
        switch (message.WellKnown)
        {
            case WellKnownType.None:
                writer.WriteStartObject();
                WriteFields(data, message, writer, context);
                writer.WriteEndObject();
                return;
            case WellKnownType.Any:
                WriteAny(data, message, writer, context);
                return;
            case WellKnownType.Timestamp or WellKnownType.Duration:
            {
                long seconds = 0;
                long nanos = 0;
                var reader = new WireReader(data);
                while (reader.TryReadTag(out var number, out var wireType))
                {
                    if (wireType == FieldCodec.WireVarint && number is 1 or 2)
                    {
                        var value = reader.ReadVarint();
                        if (number == 1)
                        {
                            seconds = (long)value;
                        }
                        else
                        {
                            nanos = (int)value;
                        }
                    }
                    else
                    {
                        reader.SkipValue(number, wireType, out _);
                    }
                }
                Span<byte> text = stackalloc byte[40];
                var reason = message.WellKnown == WellKnownType.Timestamp
                    ? WellKnownText.TryFormatTimestamp(seconds, (int)nanos, text, out var written)
                    : WellKnownText.TryFormatDuration(seconds, (int)nanos, text, out written);
                if (reason is not null)
                {
                    throw new CodecFailure(reason);
                }
                writer.WriteStringValue(text[..written]);
                return;
            }
            case WellKnownType.FieldMask:
                WriteFieldMask(data, writer);
                return;
            case WellKnownType.Struct:
                WriteStruct(data, message, writer, context);
                return;
            case WellKnownType.ListValue:
                WriteList(data, message, writer, context);
                return;
            case WellKnownType.Value:
                WriteValue(data, message, writer, context);
                return;
            default:
            {
                // A wrapper: its value field's value, or the default.
                var field = message.Fields[0];
                var found = false;
                Entry last = default;
                var reader = new WireReader(data);
                while (reader.TryReadTag(out var number, out var wireType))
                {
                    var start = reader.SkipValue(number, wireType, out var length);
                    if (number == 1 && wireType == field.WireType)
                    {
                        last = new Entry(0, start, length, wireType);
                        found = true;
                    }
                }
                if (found)
                {
                    WriteScalar(field, data.Slice(last.Start, last.Length), writer);
                }
                else
                {
                    WriteDefault(field, writer, context, absentMessageAsNull: false);
                }
                return;
            }
        }
    }

    private static void WriteFields(ReadOnlySpan<byte> data, MessageCodec message, Utf8JsonWriter writer, CodecContext context)
    {
        context.Enter();
        var fields = message.Fields;
        var oneofCount = message.OneofNames.Length;
        Span<int> lastOneofMember = oneofCount <= 32 ? stackalloc int[oneofCount] : new int[oneofCount];
        lastOneofMember.Fill(-1);
        var entries = ArrayPool<Entry>.Shared.Rent(16);
        try
        {
            var count = 0;
            var sorted = true;
            var previous = -1;
            var reader = new WireReader(data);
            while (reader.TryReadTag(out var number, out var wireType))
            {
                var start = reader.SkipValue(number, wireType, out var length);
                var field = message.FindField(number);
                if (field is null || !Accepts(field, wireType))
                {
                    continue;
                }
                Add(ref entries, ref count, new Entry(field.Index, start, length, wireType));
                sorted &= field.Index >= previous;
                previous = field.Index;
                if (field.OneofIndex >= 0)
                {
                    lastOneofMember[field.OneofIndex] = field.Index;
                }
            }
            var all = entries.AsSpan(0, count);
            if (!sorted)
            {
                // Offsets grow with wire order, so this keeps each field's values in wire order.
                all.Sort(static (a, b) => a.FieldIndex != b.FieldIndex ? a.FieldIndex.CompareTo(b.FieldIndex) : a.Start.CompareTo(b.Start));
            }
            var emitDefaults = context.WriteOptions.EmitDefaultValues;
            var next = 0;
            foreach (var field in fields)
            {
                var first = next;
                while (next < count && all[next].FieldIndex == field.Index)
                {
                    next++;
                }
                if (first == next)
                {
                    if (emitDefaults && !field.HasPresence)
                    {
                        writer.WritePropertyName(field.JsonKey);
                        WriteDefault(field, writer, context, absentMessageAsNull: true);
                    }
                    continue;
                }
                if (field.OneofIndex >= 0 && lastOneofMember[field.OneofIndex] != field.Index)
                {
                    continue;
                }
                var own = all[first..next];
                if (!field.IsRepeated && !field.IsMap && !field.IsMessage && !field.HasPresence && !emitDefaults
                    && IsDefaultScalar(field, data.Slice(own[^1].Start, own[^1].Length)))
                {
                    continue;
                }
                context.PushField(field.JsonName);
                writer.WritePropertyName(field.JsonKey);
                WriteFieldValue(data, field, own, writer, context);
                context.Pop();
            }
        }
        finally
        {
            ArrayPool<Entry>.Shared.Return(entries);
        }
        context.Exit();
    }

    /// <summary>Writes one field's JSON value from its entries (all for this field, in wire order).</summary>
    private static void WriteFieldValue(ReadOnlySpan<byte> data, FieldCodec field, ReadOnlySpan<Entry> entries, Utf8JsonWriter writer, CodecContext context)
    {
        if (field.IsMap)
        {
            writer.WriteStartObject();
            var index = 0;
            foreach (var entry in entries)
            {
                context.PushElement(index++);
                WriteMapEntry(data.Slice(entry.Start, entry.Length), field, writer, context);
                context.Pop();
            }
            writer.WriteEndObject();
            return;
        }
        if (field.IsRepeated)
        {
            writer.WriteStartArray();
            var index = 0;
            context.PushElement(0);
            foreach (var entry in entries)
            {
                var value = data.Slice(entry.Start, entry.Length);
                if (field.IsMessage)
                {
                    context.SetElement(index++);
                    WriteMessage(value, field.Message!, writer, context);
                }
                else if (entry.WireType == FieldCodec.WireLengthDelimited && field.WireType != FieldCodec.WireLengthDelimited)
                {
                    // A packed run.
                    var reader = new WireReader(value);
                    while (!reader.IsAtEnd)
                    {
                        context.SetElement(index++);
                        var start = reader.SkipValue(field.Number, field.WireType, out var length);
                        WriteScalar(field, value.Slice(start, length), writer);
                    }
                }
                else
                {
                    context.SetElement(index++);
                    WriteScalar(field, value, writer);
                }
            }
            context.Pop();
            writer.WriteEndArray();
            return;
        }
        if (field.IsMessage)
        {
            byte[]? merged = null;
            try
            {
                WriteMessage(MessageBytes(data, entries, ref merged), field.Message!, writer, context);
            }
            finally
            {
                if (merged is not null)
                {
                    ArrayPool<byte>.Shared.Return(merged);
                }
            }
            return;
        }
        var last = entries[^1];
        WriteScalar(field, data.Slice(last.Start, last.Length), writer);
    }

    /// <summary>The bytes of a message field: its one occurrence, or all of them concatenated (which merges them).</summary>
    private static ReadOnlySpan<byte> MessageBytes(ReadOnlySpan<byte> data, ReadOnlySpan<Entry> entries, scoped ref byte[]? merged)
    {
        if (entries.Length == 1)
        {
            return data.Slice(entries[0].Start, entries[0].Length);
        }
        var total = 0;
        foreach (var entry in entries)
        {
            total += entry.Length;
        }
        if (merged is not null)
        {
            ArrayPool<byte>.Shared.Return(merged);
        }
        merged = ArrayPool<byte>.Shared.Rent(total);
        var position = 0;
        foreach (var entry in entries)
        {
            data.Slice(entry.Start, entry.Length).CopyTo(merged.AsSpan(position));
            position += entry.Length;
        }
        return merged.AsSpan(0, total);
    }

    private static void WriteMapEntry(ReadOnlySpan<byte> entry, FieldCodec field, Utf8JsonWriter writer, CodecContext context)
    {
        var keyField = field.MapKey!;
        var valueField = field.MapValue!;
        var hasKey = false;
        var hasValue = false;
        Entry key = default;
        Entry value = default;
        var reader = new WireReader(entry);
        while (reader.TryReadTag(out var number, out var wireType))
        {
            var start = reader.SkipValue(number, wireType, out var length);
            if (number == 1 && wireType == keyField.WireType)
            {
                key = new Entry(0, start, length, wireType);
                hasKey = true;
            }
            else if (number == 2 && wireType == valueField.WireType)
            {
                value = new Entry(1, start, length, wireType);
                hasValue = true;
            }
        }
        var keyBytes = hasKey ? entry.Slice(key.Start, key.Length) : default;
        if (keyField.Type == FieldType.String)
        {
            if (!Utf8.IsValid(keyBytes))
            {
                throw new CodecFailure("map key is not valid UTF-8");
            }
            writer.WritePropertyName(keyBytes);
        }
        else if (keyField.Type == FieldType.Bool)
        {
            writer.WritePropertyName(hasKey && WireReader.VarintAt(keyBytes) != 0 ? "true"u8 : "false"u8);
        }
        else
        {
            Span<byte> text = stackalloc byte[24];
            var written = FormatInteger(keyField.Type, hasKey ? keyField.WireType : -1, keyBytes, text);
            writer.WritePropertyName(text[..written]);
        }
        if (valueField.IsMessage)
        {
            WriteMessage(hasValue ? entry.Slice(value.Start, value.Length) : default, valueField.Message!, writer, context);
        }
        else if (hasValue)
        {
            WriteScalar(valueField, entry.Slice(value.Start, value.Length), writer);
        }
        else
        {
            WriteDefault(valueField, writer, context, absentMessageAsNull: false);
        }
    }

    private static void WriteAny(ReadOnlySpan<byte> data, MessageCodec any, Utf8JsonWriter writer, CodecContext context)
    {
        ReadOnlySpan<byte> typeUrl = default;
        ReadOnlySpan<byte> value = default;
        var reader = new WireReader(data);
        while (reader.TryReadTag(out var number, out var wireType))
        {
            var start = reader.SkipValue(number, wireType, out var length);
            if (wireType == FieldCodec.WireLengthDelimited && number is 1 or 2)
            {
                if (number == 1)
                {
                    typeUrl = data.Slice(start, length);
                }
                else
                {
                    value = data.Slice(start, length);
                }
            }
        }
        writer.WriteStartObject();
        if (typeUrl.IsEmpty && value.IsEmpty)
        {
            writer.WriteEndObject();
            return;
        }
        if (!Utf8.IsValid(typeUrl))
        {
            throw new CodecFailure("Any type URL is not valid UTF-8");
        }
        Span<char> chars = typeUrl.Length <= 512 ? stackalloc char[typeUrl.Length] : new char[typeUrl.Length];
        var urlLength = System.Text.Encoding.UTF8.GetChars(typeUrl, chars);
        if (!any.Set.TryResolveTypeUrl(chars[..urlLength], out var type))
        {
            if (context.WriteOptions.WriteUnresolvedAnyAsBytes)
            {
                writer.WriteString(TypeKey, typeUrl);
                writer.WriteBase64String(ValueKey, value);
                writer.WriteEndObject();
                return;
            }
            context.PushField("@type");
            throw new CodecFailure($"unknown type \"{chars[..urlLength]}\" (not in the descriptor set)");
        }
        writer.WriteString(TypeKey, typeUrl);
        context.Enter();
        if (type.IsWellKnownFile)
        {
            context.PushField("value");
            writer.WritePropertyName(ValueKey);
            WriteMessage(value, type, writer, context);
            context.Pop();
        }
        else
        {
            WriteFields(value, type, writer, context);
        }
        context.Exit();
        writer.WriteEndObject();
    }

    private static void WriteStruct(ReadOnlySpan<byte> data, MessageCodec message, Utf8JsonWriter writer, CodecContext context)
    {
        context.Enter();
        var fields = message.Fields[0];
        writer.WriteStartObject();
        var reader = new WireReader(data);
        var index = 0;
        while (reader.TryReadTag(out var number, out var wireType))
        {
            var start = reader.SkipValue(number, wireType, out var length);
            if (number == 1 && wireType == FieldCodec.WireLengthDelimited)
            {
                context.PushElement(index++);
                WriteMapEntry(data.Slice(start, length), fields, writer, context);
                context.Pop();
            }
        }
        writer.WriteEndObject();
        context.Exit();
    }

    private static void WriteList(ReadOnlySpan<byte> data, MessageCodec message, Utf8JsonWriter writer, CodecContext context)
    {
        context.Enter();
        var valueType = message.Fields[0].Message!;
        writer.WriteStartArray();
        var reader = new WireReader(data);
        var index = 0;
        context.PushElement(0);
        while (reader.TryReadTag(out var number, out var wireType))
        {
            var start = reader.SkipValue(number, wireType, out var length);
            if (number == 1 && wireType == FieldCodec.WireLengthDelimited)
            {
                context.SetElement(index++);
                WriteValue(data.Slice(start, length), valueType, writer, context);
            }
        }
        context.Pop();
        writer.WriteEndArray();
        context.Exit();
    }

    private static void WriteValue(ReadOnlySpan<byte> data, MessageCodec message, Utf8JsonWriter writer, CodecContext context)
    {
        // The kind oneof: the last member on the wire wins.
        var kind = 0;
        Entry last = default;
        var reader = new WireReader(data);
        while (reader.TryReadTag(out var number, out var wireType))
        {
            var start = reader.SkipValue(number, wireType, out var length);
            var expected = number switch
            {
                1 or 4 => FieldCodec.WireVarint,
                2 => FieldCodec.WireFixed64,
                3 or 5 or 6 => FieldCodec.WireLengthDelimited,
                _ => -1,
            };
            if (wireType == expected)
            {
                kind = number;
                last = new Entry(0, start, length, wireType);
            }
        }
        var value = data.Slice(last.Start, last.Length);
        switch (kind)
        {
            case 1:
                writer.WriteNullValue();
                break;
            case 2:
                WriteDouble(BitConverter.Int64BitsToDouble((long)System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(value)), writer);
                break;
            case 3:
                WriteUtf8String(value, writer);
                break;
            case 4:
                writer.WriteBooleanValue(WireReader.VarintAt(value) != 0);
                break;
            case 5:
                WriteStruct(value, message.FindField(5)!.Message!, writer, context);
                break;
            case 6:
                WriteList(value, message.FindField(6)!.Message!, writer, context);
                break;
            default:
                throw new CodecFailure("a google.protobuf.Value has no kind set");
        }
    }

    private static void WriteFieldMask(ReadOnlySpan<byte> data, Utf8JsonWriter writer)
    {
        var total = 0;
        var reader = new WireReader(data);
        while (reader.TryReadTag(out var number, out var wireType))
        {
            reader.SkipValue(number, wireType, out var length);
            total += length + 1;
        }
        var rented = ArrayPool<byte>.Shared.Rent(Math.Max(total, 1));
        try
        {
            var written = 0;
            reader = new WireReader(data);
            while (reader.TryReadTag(out var number, out var wireType))
            {
                var start = reader.SkipValue(number, wireType, out var length);
                if (number != 1 || wireType != FieldCodec.WireLengthDelimited)
                {
                    continue;
                }
                if (written > 0)
                {
                    rented[written++] = (byte)',';
                }
                if (!WellKnownText.TryPathToJson(data.Slice(start, length), rented.AsSpan(written), out var pathLength))
                {
                    throw new CodecFailure($"field mask path '{ScalarText.Show(data.Slice(start, length))}' has no JSON form");
                }
                written += pathLength;
            }
            WriteUtf8String(rented.AsSpan(0, written), writer);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>The JSON for a field that is absent (EmitDefaultValues, or a field path's leaf).</summary>
    private static void WriteDefault(FieldCodec field, Utf8JsonWriter writer, CodecContext context, bool absentMessageAsNull)
    {
        if (field.IsMap)
        {
            writer.WriteStartObject();
            writer.WriteEndObject();
        }
        else if (field.IsRepeated)
        {
            writer.WriteStartArray();
            writer.WriteEndArray();
        }
        else if (field.IsMessage)
        {
            if (absentMessageAsNull)
            {
                writer.WriteNullValue();
            }
            else
            {
                WriteMessage(default, field.Message!, writer, context);
            }
        }
        else if (field.Type is FieldType.String or FieldType.Bytes)
        {
            writer.WriteStringValue(""u8);
        }
        else
        {
            Span<byte> zero = stackalloc byte[10];
            WriteScalar(field, field.WireType == FieldCodec.WireFixed32 ? zero[..4] : field.WireType == FieldCodec.WireFixed64 ? zero[..8] : zero[..1], writer);
        }
    }

    private static bool IsDefaultScalar(FieldCodec field, ReadOnlySpan<byte> value) => field.WireType switch
    {
        FieldCodec.WireLengthDelimited => value.IsEmpty,
        FieldCodec.WireFixed32 => field.Type == FieldType.Float
            ? BitConverter.UInt32BitsToSingle(System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(value)) == 0
            : System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(value) == 0,
        FieldCodec.WireFixed64 => field.Type == FieldType.Double
            ? BitConverter.Int64BitsToDouble(System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(value)) == 0
            : System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(value) == 0,
        _ => field.Type switch
        {
            // int32/enum/bool compare their low 32 bits, as the generated code reads them.
            FieldType.Int32 or FieldType.Enum or FieldType.UInt32 or FieldType.SInt32 => (uint)WireReader.VarintAt(value) == 0,
            FieldType.Bool => WireReader.VarintAt(value) == 0,
            _ => WireReader.VarintAt(value) == 0,
        },
    };

    /// <summary>Writes one scalar or enum value given its wire bytes (the varint, the fixed bytes, or the payload).</summary>
    private static void WriteScalar(FieldCodec field, ReadOnlySpan<byte> value, Utf8JsonWriter writer)
    {
        switch (field.Type)
        {
            case FieldType.String:
                WriteUtf8String(value, writer);
                return;
            case FieldType.Bytes:
                writer.WriteBase64StringValue(value);
                return;
            case FieldType.Bool:
                writer.WriteBooleanValue(WireReader.VarintAt(value) != 0);
                return;
            case FieldType.Enum:
            {
                var number = (int)WireReader.VarintAt(value);
                if (field.Enum!.IsNullValue)
                {
                    writer.WriteNullValue();
                }
                else if (field.Enum.TryGetName(number, out var name))
                {
                    writer.WriteStringValue(name);
                }
                else
                {
                    writer.WriteNumberValue(number);
                }
                return;
            }
            case FieldType.Double:
                WriteDouble(BitConverter.Int64BitsToDouble(System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(value)), writer);
                return;
            case FieldType.Float:
            {
                var number = BitConverter.UInt32BitsToSingle(System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(value));
                if (float.IsNaN(number) || float.IsInfinity(number))
                {
                    WriteDouble(number, writer);
                    return;
                }
                Span<byte> text = stackalloc byte[32];
                number.TryFormat(text, out var written, "R", CultureInfo.InvariantCulture);
                WriteRawNumber(text[..written], writer);
                return;
            }
            case FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32:
                writer.WriteNumberValue(field.Type switch
                {
                    FieldType.Int32 => (int)WireReader.VarintAt(value),
                    FieldType.SInt32 => ZigZagDecode32((uint)WireReader.VarintAt(value)),
                    _ => (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(value),
                });
                return;
            case FieldType.UInt32:
                writer.WriteNumberValue((uint)WireReader.VarintAt(value));
                return;
            case FieldType.Fixed32:
                writer.WriteNumberValue(System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(value));
                return;
            default:
            {
                // 64-bit integers are strings in proto3 JSON.
                Span<byte> text = stackalloc byte[24];
                var written = FormatInteger(field.Type, field.WireType, value, text);
                writer.WriteStringValue(text[..written]);
                return;
            }
        }
    }

    private static int FormatInteger(FieldType type, int wireType, ReadOnlySpan<byte> value, Span<byte> text)
    {
        if (wireType < 0)
        {
            text[0] = (byte)'0';
            return 1;
        }
        int written;
        var raw = wireType switch
        {
            FieldCodec.WireFixed32 => System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(value),
            FieldCodec.WireFixed64 => System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(value),
            _ => WireReader.VarintAt(value),
        };
        _ = type switch
        {
            FieldType.Int32 => ((int)raw).TryFormat(text, out written, default, CultureInfo.InvariantCulture),
            FieldType.SInt32 => ZigZagDecode32((uint)raw).TryFormat(text, out written, default, CultureInfo.InvariantCulture),
            FieldType.SFixed32 => ((int)(uint)raw).TryFormat(text, out written, default, CultureInfo.InvariantCulture),
            FieldType.UInt32 or FieldType.Fixed32 => ((uint)raw).TryFormat(text, out written, default, CultureInfo.InvariantCulture),
            FieldType.Int64 or FieldType.SFixed64 => ((long)raw).TryFormat(text, out written, default, CultureInfo.InvariantCulture),
            FieldType.SInt64 => ((long)(raw >> 1) ^ -(long)(raw & 1)).TryFormat(text, out written, default, CultureInfo.InvariantCulture),
            _ => raw.TryFormat(text, out written, default, CultureInfo.InvariantCulture),
        };
        return written;
    }

    private static int ZigZagDecode32(uint raw) => (int)(raw >> 1) ^ -(int)(raw & 1);

    private static void WriteDouble(double value, Utf8JsonWriter writer)
    {
        if (double.IsNaN(value))
        {
            writer.WriteStringValue("NaN"u8);
            return;
        }
        if (double.IsInfinity(value))
        {
            writer.WriteStringValue(value > 0 ? "Infinity"u8 : "-Infinity"u8);
            return;
        }
        Span<byte> text = stackalloc byte[32];
        value.TryFormat(text, out var written, "R", CultureInfo.InvariantCulture);
        WriteRawNumber(text[..written], writer);
    }

    /// <summary>Shortest round-trip digits with a lower-case exponent, as JsonFormatter writes them.</summary>
    private static void WriteRawNumber(Span<byte> text, Utf8JsonWriter writer)
    {
        var exponent = text.IndexOf((byte)'E');
        if (exponent >= 0)
        {
            text[exponent] = (byte)'e';
        }
        writer.WriteRawValue(text, skipInputValidation: true);
    }

    private static void WriteUtf8String(ReadOnlySpan<byte> value, Utf8JsonWriter writer)
    {
        if (!Utf8.IsValid(value))
        {
            throw new CodecFailure("string field is not valid UTF-8");
        }
        writer.WriteStringValue(value);
    }

    /// <summary>
    /// Whether a value of this wire type belongs to the field; anything else is skipped like an unknown
    /// field (as Google.Protobuf does). Proto2 groups have no JSON form here and are skipped too.
    /// </summary>
    private static bool Accepts(FieldCodec field, int wireType) =>
        field.Type != FieldType.Group
        && (wireType == field.WireType || (field.IsPackable && wireType == FieldCodec.WireLengthDelimited));

    private static void Add(ref Entry[] entries, ref int count, Entry entry)
    {
        if (count == entries.Length)
        {
            var larger = ArrayPool<Entry>.Shared.Rent(entries.Length * 2);
            entries.AsSpan(0, count).CopyTo(larger);
            ArrayPool<Entry>.Shared.Return(entries);
            entries = larger;
        }
        entries[count++] = entry;
    }

    /// <summary>One occurrence of a field in a message's bytes: where its value is and how it is encoded.</summary>
    private readonly record struct Entry(int FieldIndex, int Start, int Length, int WireType);
}
