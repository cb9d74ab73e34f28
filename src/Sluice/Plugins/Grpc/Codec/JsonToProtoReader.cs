using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Google.Protobuf.Reflection;

namespace Sluice.Plugins.Grpc.Codec;

/// <summary>
/// Proto3 JSON → protobuf wire format, driven by compiled <see cref="MessageCodec"/>s. Reads with
/// <see cref="Utf8JsonReader"/> and writes into the context's <see cref="ProtoBuffer"/>; fields are written in
/// the order the JSON gives them, each as Google.Protobuf would write it (defaults of fields without
/// presence left out, repeated numbers packed, map entries without default keys or scalar values).
/// </summary>
internal static class JsonToProtoReader
{
    /// <summary>Nesting limit for messages, Struct/ListValue levels and Any (Google.Protobuf's default is 100 too).</summary>
    public const int MaxDepth = 100;

    private static readonly JsonReaderOptions ReaderOptions = new()
    {
        // Our own limit counts messages; JSON nests arrays and maps in between.
        MaxDepth = MaxDepth * 3 + 8,
        CommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
    };

    public static void Convert(MessageCodec root, FieldCodec[]? path, ReadOnlySpan<byte> utf8Json, IBufferWriter<byte> output, ProtoJsonReadOptions options)
    {
        var context = CodecContext.Rent();
        context.ReadOptions = options;
        try
        {
            var reader = new Utf8JsonReader(utf8Json, ReaderOptions);
            if (!reader.Read())
            {
                throw new CodecFailure("expected a JSON value, got nothing");
            }
            var buffer = context.Buffer;
            if (path is null)
            {
                ReadMessage(ref reader, root, context);
            }
            else
            {
                // google.api.http body: "a.b": wrap the value in the messages leading to it.
                Span<int> starts = stackalloc int[path.Length];
                for (var i = 0; i < path.Length - 1; i++)
                {
                    context.PushField(path[i].ProtoName);
                    buffer.WriteTag(path[i].DelimitedTag);
                    starts[i] = buffer.BeginDelimited();
                }
                var leaf = path[^1];
                context.PushField(leaf.ProtoName);
                ReadFieldValue(ref reader, leaf, context, force: true);
                for (var i = path.Length - 2; i >= 0; i--)
                {
                    buffer.EndDelimited(starts[i]);
                }
            }
            if (reader.Read())
            {
                throw new CodecFailure("malformed JSON: more than one value");
            }
            buffer.CopyTo(output);
        }
        catch (CodecFailure failure)
        {
            throw new ProtoJsonException(context.RenderPath(utf8Json), failure.Message);
        }
        catch (JsonException malformed)
        {
            throw new ProtoJsonException(context.RenderPath(utf8Json), "malformed JSON: " + malformed.Message, malformed);
        }
        catch (InvalidOperationException invalidString)
        {
            // Utf8JsonReader.CopyString refuses escapes that are not valid UTF-16 (a lone surrogate).
            throw new ProtoJsonException(context.RenderPath(utf8Json), "malformed JSON string: " + invalidString.Message, invalidString);
        }
        finally
        {
            context.Return();
        }
    }

    /// <summary>Reads the JSON value at the reader's current token as a whole message of type <paramref name="message"/>.</summary>
    internal static void ReadMessage(ref Utf8JsonReader reader, MessageCodec message, CodecContext context)
    {
        switch (message.WellKnown)
        {
            case WellKnownType.None:
                ReadFields(ref reader, message, context, inAny: false);
                break;
            case WellKnownType.Any:
                ReadAny(ref reader, message, context);
                break;
            case WellKnownType.Timestamp:
            case WellKnownType.Duration:
            {
                var text = ReadString(ref reader, context, "a string");
                var reason = message.WellKnown == WellKnownType.Timestamp
                    ? WellKnownText.TryParseTimestamp(text, out var seconds, out var nanos)
                    : WellKnownText.TryParseDuration(text, out seconds, out nanos);
                if (reason is not null)
                {
                    throw new CodecFailure(reason);
                }
                WriteSecondsAndNanos(context.Buffer, seconds, nanos);
                break;
            }
            case WellKnownType.FieldMask:
                WriteFieldMask(ReadString(ref reader, context, "a string"), context);
                break;
            case WellKnownType.Struct:
                ReadStruct(ref reader, context);
                break;
            case WellKnownType.Value:
                ReadValue(ref reader, context);
                break;
            case WellKnownType.ListValue:
                ReadList(ref reader, context);
                break;
            default:
                // The wrappers: the JSON is the wrapped value itself.
                var value = message.Fields[0];
                WriteScalar(ref reader, value, context, value.Tag, skipDefault: true, bitwiseDefault: true);
                break;
        }
    }

    private static void ReadFields(ref Utf8JsonReader reader, MessageCodec message, CodecContext context, bool inAny)
    {
        Expect(ref reader, JsonTokenType.StartObject, "an object");
        context.Enter();
        var oneofCount = message.OneofNames.Length;
        Span<bool> oneofSeen = oneofCount <= 32 ? stackalloc bool[oneofCount] : new bool[oneofCount];
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var nameStart = (int)reader.TokenStartIndex + 1;
            var nameLength = reader.ValueSpan.Length;
            var name = Unescaped(ref reader, context);
            var field = message.FindField(name);
            if (field is null)
            {
                if ((inAny && name.SequenceEqual("@type"u8)) || context.ReadOptions.IgnoreUnknownFields)
                {
                    reader.Read();
                    reader.Skip();
                    continue;
                }
                context.PushInputName(nameStart, nameLength);
                throw new CodecFailure($"unknown field of {message.FullName}");
            }
            context.PushField(field.JsonName != field.ProtoName && Ascii.Equals(name, field.ProtoName) ? field.ProtoName : field.JsonName);
            reader.Read();
            if (field.OneofIndex >= 0)
            {
                if (oneofSeen[field.OneofIndex])
                {
                    throw new CodecFailure($"more than one field of oneof '{message.OneofNames[field.OneofIndex]}' is set");
                }
                oneofSeen[field.OneofIndex] = true;
            }
            ReadFieldValue(ref reader, field, context, force: false);
            context.Pop();
        }
        context.Exit();
    }

    /// <summary>Reads one field's JSON value (the reader is on it) and writes the field.</summary>
    /// <param name="force">Write even a default value (a field path sets its leaf explicitly).</param>
    internal static void ReadFieldValue(ref Utf8JsonReader reader, FieldCodec field, CodecContext context, bool force)
    {
        var buffer = context.Buffer;
        if (field.IsMap)
        {
            ReadMap(ref reader, field, context);
            return;
        }
        if (field.IsRepeated)
        {
            ReadRepeated(ref reader, field, context);
            return;
        }
        if (reader.TokenType == JsonTokenType.Null)
        {
            // null is the default value, except for Value (JSON null) and NullValue (its only value).
            if (field.IsMessage && field.Message!.WellKnown == WellKnownType.Value)
            {
                WriteMessageField(ref reader, field, context);
            }
            else if (field.Enum is { IsNullValue: true } && (field.HasPresence || force))
            {
                buffer.WriteTag(field.Tag);
                buffer.WriteVarint(0);
            }
            return;
        }
        if (field.IsMessage)
        {
            WriteMessageField(ref reader, field, context);
            return;
        }
        WriteScalar(ref reader, field, context, field.Tag, skipDefault: !field.HasPresence && !force);
    }

    private static void WriteMessageField(ref Utf8JsonReader reader, FieldCodec field, CodecContext context)
    {
        var buffer = context.Buffer;
        buffer.WriteTag(field.DelimitedTag);
        var start = buffer.BeginDelimited();
        ReadMessage(ref reader, field.Message!, context);
        buffer.EndDelimited(start);
    }

    private static void ReadRepeated(ref Utf8JsonReader reader, FieldCodec field, CodecContext context)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return;
        }
        Expect(ref reader, JsonTokenType.StartArray, "an array");
        var buffer = context.Buffer;
        var acceptsNull = field.IsMessage && field.Message!.WellKnown == WellKnownType.Value;
        var packedTag = -1;
        var packedStart = -1;
        var index = 0;
        context.PushElement(0);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            context.SetElement(index++);
            if (reader.TokenType == JsonTokenType.Null && !acceptsNull)
            {
                throw new CodecFailure("repeated field elements cannot be null");
            }
            if (field.IsMessage)
            {
                WriteMessageField(ref reader, field, context);
            }
            else if (field.IsPacked)
            {
                if (packedStart < 0)
                {
                    packedTag = buffer.Length;
                    buffer.WriteTag(field.DelimitedTag);
                    packedStart = buffer.BeginDelimited();
                }
                WriteScalar(ref reader, field, context, tag: 0, skipDefault: false);
            }
            else
            {
                WriteScalar(ref reader, field, context, field.Tag, skipDefault: false);
            }
        }
        context.Pop();
        if (packedStart >= 0)
        {
            if (buffer.Length == packedStart)
            {
                // Every element was an unknown enum name being ignored: write nothing, as for [].
                buffer.Truncate(packedTag);
            }
            else
            {
                buffer.EndDelimited(packedStart);
            }
        }
    }

    private static void ReadMap(ref Utf8JsonReader reader, FieldCodec field, CodecContext context)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return;
        }
        Expect(ref reader, JsonTokenType.StartObject, "an object");
        var buffer = context.Buffer;
        var key = field.MapKey!;
        var value = field.MapValue!;
        var valueAcceptsNull = value.IsMessage && value.Message!.WellKnown == WellKnownType.Value;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            context.PushInputKey((int)reader.TokenStartIndex + 1, reader.ValueSpan.Length);
            var entryTag = buffer.Length;
            buffer.WriteTag(field.DelimitedTag);
            var entryStart = buffer.BeginDelimited();
            WriteMapKey(Unescaped(ref reader, context), key, buffer);
            reader.Read();
            if (reader.TokenType == JsonTokenType.Null && !valueAcceptsNull)
            {
                throw new CodecFailure("map values cannot be null");
            }
            if (value.IsMessage)
            {
                // Message values are written even when empty, as Google.Protobuf does.
                WriteMessageField(ref reader, value, context);
            }
            else if (!WriteScalar(ref reader, value, context, value.Tag, skipDefault: true, bitwiseDefault: true))
            {
                buffer.Truncate(entryTag);
                context.Pop();
                continue;
            }
            buffer.EndDelimited(entryStart);
            context.Pop();
        }
    }

    private static void WriteMapKey(ReadOnlySpan<byte> text, FieldCodec key, ProtoBuffer buffer)
    {
        if (key.Type == FieldType.String)
        {
            if (!Utf8.IsValid(text))
            {
                throw new CodecFailure("map key is not valid UTF-8");
            }
            if (text.Length > 0)
            {
                buffer.WriteTag(key.Tag);
                buffer.WriteDelimited(text);
            }
            return;
        }
        ulong bits;
        if (key.Type == FieldType.Bool)
        {
            var reason = ScalarText.TryParseBool(text, out var flag);
            if (reason is not null)
            {
                throw new CodecFailure("map key " + reason);
            }
            bits = flag ? 1UL : 0UL;
        }
        else
        {
            var reason = ScalarText.TryParseNumber(key.Type, text, quoted: true, out bits);
            if (reason is not null)
            {
                throw new CodecFailure("map key " + reason);
            }
        }
        if (bits != 0)
        {
            WriteBits(buffer, key, bits);
        }
    }

    /// <summary>
    /// Reads a scalar (or enum) value and writes it with <paramref name="tag"/> (none when 0: inside a
    /// packed run). Returns false when the value was dropped (an unknown enum name, ignored by option).
    /// </summary>
    /// <param name="bitwiseDefault">
    /// Only an all-zero value is the default, so -0.0 is written. Google.Protobuf's generated fields
    /// compare with == 0, but its codecs for map values and wrapper fields compare bitwise.
    /// </param>
    internal static bool WriteScalar(ref Utf8JsonReader reader, FieldCodec field, CodecContext context, uint tag, bool skipDefault, bool bitwiseDefault = false)
    {
        var buffer = context.Buffer;
        var token = reader.TokenType;
        switch (field.Type)
        {
            case FieldType.String:
            {
                if (token != JsonTokenType.String)
                {
                    throw Unexpected(ref reader, "a string");
                }
                if (skipDefault && reader.ValueSpan.Length == 0)
                {
                    return true;
                }
                if (tag != 0)
                {
                    buffer.WriteTag(tag);
                }
                WriteJsonString(ref reader, buffer);
                return true;
            }
            case FieldType.Bytes:
            {
                if (token != JsonTokenType.String)
                {
                    throw Unexpected(ref reader, "a base64 string");
                }
                if (skipDefault && reader.ValueSpan.Length == 0)
                {
                    return true;
                }
                var text = Unescaped(ref reader, context);
                var mark = buffer.Length;
                if (tag != 0)
                {
                    buffer.WriteTag(tag);
                }
                // Decode needs its own scratch: the unescaped text may live in the context's.
                var scratch = text.Length <= 256 ? stackalloc byte[text.Length] : new byte[text.Length];
                var reason = ScalarText.TryWriteBase64(text, buffer, scratch);
                if (reason is not null)
                {
                    buffer.Truncate(mark);
                    throw new CodecFailure(reason);
                }
                if (skipDefault && buffer.Length == mark + (tag == 0 ? 1 : ProtoBuffer.VarintSize(tag) + 1))
                {
                    buffer.Truncate(mark);
                }
                return true;
            }
            case FieldType.Bool:
            {
                if (token is not (JsonTokenType.True or JsonTokenType.False))
                {
                    throw Unexpected(ref reader, "true or false");
                }
                var value = token == JsonTokenType.True;
                if (skipDefault && !value)
                {
                    return true;
                }
                if (tag != 0)
                {
                    buffer.WriteTag(tag);
                }
                buffer.WriteVarint(value ? 1UL : 0UL);
                return true;
            }
            case FieldType.Enum:
            {
                int number;
                if (token == JsonTokenType.String)
                {
                    var name = Unescaped(ref reader, context);
                    if (!field.Enum!.TryGetNumber(name, out number))
                    {
                        if (context.ReadOptions.IgnoreUnknownFields)
                        {
                            return false;
                        }
                        throw new CodecFailure($"unknown value \"{ScalarText.Show(name)}\" for enum {field.Enum.FullName}");
                    }
                }
                else if (token == JsonTokenType.Number)
                {
                    if (!reader.TryGetInt32(out number))
                    {
                        var reason = ScalarText.TryParseNumber(FieldType.Enum, reader.ValueSpan, quoted: false, out var bits);
                        if (reason is not null)
                        {
                            throw new CodecFailure(reason);
                        }
                        number = (int)(long)bits;
                    }
                }
                else if (token == JsonTokenType.Null && field.Enum!.IsNullValue)
                {
                    number = 0;
                }
                else
                {
                    throw Unexpected(ref reader, "an enum name or number");
                }
                if (skipDefault && number == 0)
                {
                    return true;
                }
                if (tag != 0)
                {
                    buffer.WriteTag(tag);
                }
                buffer.WriteVarint((ulong)(long)number);
                return true;
            }
            case FieldType.Message or FieldType.Group:
                throw new CodecFailure($"{field.Type} fields are not supported here");
            default:
            {
                ulong bits;
                if (token == JsonTokenType.Number)
                {
                    var reason = ScalarText.TryParseNumber(field.Type, reader.ValueSpan, quoted: false, out bits);
                    if (reason is not null)
                    {
                        throw new CodecFailure(reason);
                    }
                }
                else if (token == JsonTokenType.String)
                {
                    var reason = ScalarText.TryParseNumber(field.Type, Unescaped(ref reader, context), quoted: true, out bits);
                    if (reason is not null)
                    {
                        throw new CodecFailure(reason);
                    }
                }
                else
                {
                    throw Unexpected(ref reader, "a number");
                }
                if (skipDefault && (bitwiseDefault ? bits == 0 : IsDefault(field.Type, bits)))
                {
                    return true;
                }
                if (tag != 0)
                {
                    buffer.WriteTag(tag);
                }
                WriteBitsValue(buffer, field.Type, bits);
                return true;
            }
        }
    }

    /// <summary>Writes a tag and a numeric value given as the bits <see cref="ScalarText.TryParseNumber"/> produced.</summary>
    internal static void WriteBits(ProtoBuffer buffer, FieldCodec field, ulong bits)
    {
        buffer.WriteTag(field.Tag);
        WriteBitsValue(buffer, field.Type, bits);
    }

    internal static void WriteBitsValue(ProtoBuffer buffer, FieldType type, ulong bits)
    {
        switch (type)
        {
            case FieldType.Double or FieldType.Fixed64 or FieldType.SFixed64:
                buffer.WriteFixed64(bits);
                break;
            case FieldType.Float or FieldType.Fixed32 or FieldType.SFixed32:
                buffer.WriteFixed32((uint)bits);
                break;
            case FieldType.SInt32:
                buffer.WriteVarint((uint)ScalarText.ZigZag32((int)(long)bits));
                break;
            case FieldType.SInt64:
                buffer.WriteVarint((ulong)ScalarText.ZigZag64((long)bits));
                break;
            default:
                // int32 and enums are sign-extended to 64 bits on the wire, as the other kinds already are.
                buffer.WriteVarint(bits);
                break;
        }
    }

    /// <summary>Proto3 defaults: zero, and for floating point also -0 (Google.Protobuf compares with == 0).</summary>
    internal static bool IsDefault(FieldType type, ulong bits) => type switch
    {
        FieldType.Double => BitConverter.Int64BitsToDouble((long)bits) == 0,
        FieldType.Float => BitConverter.UInt32BitsToSingle((uint)bits) == 0,
        _ => bits == 0,
    };

    private static void ReadAny(ref Utf8JsonReader reader, MessageCodec any, CodecContext context)
    {
        Expect(ref reader, JsonTokenType.StartObject, "an object");
        // "@type" may come after the fields it describes: look ahead on a copy of the reader.
        var lookahead = reader;
        var empty = true;
        ReadOnlySpan<byte> typeUrl = default;
        while (lookahead.Read() && lookahead.TokenType == JsonTokenType.PropertyName)
        {
            empty = false;
            var isType = lookahead.ValueTextEquals("@type"u8);
            lookahead.Read();
            if (isType)
            {
                if (lookahead.TokenType != JsonTokenType.String)
                {
                    context.PushField("@type");
                    throw Unexpected(ref lookahead, "a type URL string");
                }
                typeUrl = Unescaped(ref lookahead, context);
                break;
            }
            lookahead.Skip();
        }
        if (empty)
        {
            reader.Skip();
            return;
        }
        if (typeUrl.IsEmpty)
        {
            throw new CodecFailure("an Any needs an \"@type\"");
        }
        Span<char> chars = typeUrl.Length <= 512 ? stackalloc char[typeUrl.Length] : new char[typeUrl.Length];
        var length = Encoding.UTF8.GetChars(typeUrl, chars);
        if (!any.Set.TryResolveTypeUrl(chars[..length], out var type))
        {
            context.PushField("@type");
            throw new CodecFailure($"unknown type \"{chars[..length]}\" (not in the descriptor set)");
        }
        var buffer = context.Buffer;
        buffer.WriteTag(any.Fields[0].Tag);
        buffer.WriteDelimited(typeUrl);
        var valueTag = buffer.Length;
        buffer.WriteTag(any.Fields[1].Tag);
        var start = buffer.BeginDelimited();
        context.Enter();
        if (type.IsWellKnownFile)
        {
            ReadWellKnownInAny(ref reader, type, context);
        }
        else
        {
            ReadFields(ref reader, type, context, inAny: true);
        }
        context.Exit();
        if (buffer.Length == start)
        {
            // An empty value is the default bytes: Google.Protobuf leaves the field out.
            buffer.Truncate(valueTag);
        }
        else
        {
            buffer.EndDelimited(start);
        }
    }

    /// <summary>A well-known type inside an Any: <c>{"@type": …, "value": &lt;its JSON&gt;}</c>.</summary>
    private static void ReadWellKnownInAny(ref Utf8JsonReader reader, MessageCodec type, CodecContext context)
    {
        var sawValue = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("@type"u8))
            {
                reader.Read();
                continue;
            }
            if (!reader.ValueTextEquals("value"u8))
            {
                if (context.ReadOptions.IgnoreUnknownFields)
                {
                    reader.Read();
                    reader.Skip();
                    continue;
                }
                context.PushInputName((int)reader.TokenStartIndex + 1, reader.ValueSpan.Length);
                throw new CodecFailure($"unknown field of an Any holding {type.FullName} (expected \"@type\" and \"value\")");
            }
            context.PushField("value");
            reader.Read();
            ReadMessage(ref reader, type, context);
            context.Pop();
            sawValue = true;
        }
        if (!sawValue)
        {
            throw new CodecFailure($"an Any holding {type.FullName} needs a \"value\"");
        }
    }

    private static void ReadStruct(ref Utf8JsonReader reader, CodecContext context)
    {
        Expect(ref reader, JsonTokenType.StartObject, "an object");
        context.Enter();
        var buffer = context.Buffer;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            context.PushInputKey((int)reader.TokenStartIndex + 1, reader.ValueSpan.Length);
            buffer.WriteTag(0x0A); // fields: map<string, Value> = 1
            var entry = buffer.BeginDelimited();
            if (reader.ValueSpan.Length > 0)
            {
                buffer.WriteTag(0x0A); // key = 1
                WriteJsonString(ref reader, buffer);
            }
            reader.Read();
            buffer.WriteTag(0x12); // value = 2
            var value = buffer.BeginDelimited();
            ReadValue(ref reader, context);
            buffer.EndDelimited(value);
            buffer.EndDelimited(entry);
            context.Pop();
        }
        context.Exit();
    }

    private static void ReadList(ref Utf8JsonReader reader, CodecContext context)
    {
        Expect(ref reader, JsonTokenType.StartArray, "an array");
        context.Enter();
        var buffer = context.Buffer;
        var index = 0;
        context.PushElement(0);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            context.SetElement(index++);
            buffer.WriteTag(0x0A); // values = 1
            var start = buffer.BeginDelimited();
            ReadValue(ref reader, context);
            buffer.EndDelimited(start);
        }
        context.Pop();
        context.Exit();
    }

    private static void ReadValue(ref Utf8JsonReader reader, CodecContext context)
    {
        var buffer = context.Buffer;
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                buffer.WriteTag(0x08); // null_value = 1
                buffer.WriteVarint(0);
                break;
            case JsonTokenType.Number:
            {
                var reason = ScalarText.TryParseDouble(reader.ValueSpan, out var number);
                if (reason is not null)
                {
                    throw new CodecFailure(reason);
                }
                buffer.WriteTag(0x11); // number_value = 2
                buffer.WriteFixed64((ulong)BitConverter.DoubleToInt64Bits(number));
                break;
            }
            case JsonTokenType.String:
                buffer.WriteTag(0x1A); // string_value = 3
                WriteJsonString(ref reader, buffer);
                break;
            case JsonTokenType.True or JsonTokenType.False:
                buffer.WriteTag(0x20); // bool_value = 4
                buffer.WriteVarint(reader.TokenType == JsonTokenType.True ? 1UL : 0UL);
                break;
            case JsonTokenType.StartObject:
            {
                buffer.WriteTag(0x2A); // struct_value = 5
                var start = buffer.BeginDelimited();
                ReadStruct(ref reader, context);
                buffer.EndDelimited(start);
                break;
            }
            case JsonTokenType.StartArray:
            {
                buffer.WriteTag(0x32); // list_value = 6
                var start = buffer.BeginDelimited();
                ReadList(ref reader, context);
                buffer.EndDelimited(start);
                break;
            }
            default:
                throw Unexpected(ref reader, "a JSON value");
        }
    }

    private static void WriteSecondsAndNanos(ProtoBuffer buffer, long seconds, int nanos)
    {
        if (seconds != 0)
        {
            buffer.WriteTag(0x08);
            buffer.WriteVarint((ulong)seconds);
        }
        if (nanos != 0)
        {
            buffer.WriteTag(0x10);
            buffer.WriteVarint((ulong)(long)nanos);
        }
    }

    internal static void WriteFieldMask(ReadOnlySpan<byte> text, CodecContext context)
    {
        var buffer = context.Buffer;
        while (!text.IsEmpty)
        {
            var comma = text.IndexOf((byte)',');
            var path = comma < 0 ? text : text[..comma];
            text = comma < 0 ? default : text[(comma + 1)..];
            buffer.WriteTag(0x0A); // paths = 1
            var start = buffer.BeginDelimited();
            var written = WellKnownText.PathFromJson(path, buffer.GetSpan(path.Length * 2));
            buffer.Advance(written);
            buffer.EndDelimited(start);
        }
    }

    /// <summary>Internal use: a time/duration/mask/wrapper from URL text (see <see cref="FieldPathCodec"/>).</summary>
    internal static void WriteWellKnownText(MessageCodec message, ReadOnlySpan<byte> text, CodecContext context)
    {
        switch (message.WellKnown)
        {
            case WellKnownType.Timestamp or WellKnownType.Duration:
            {
                var reason = message.WellKnown == WellKnownType.Timestamp
                    ? WellKnownText.TryParseTimestamp(text, out var seconds, out var nanos)
                    : WellKnownText.TryParseDuration(text, out seconds, out nanos);
                if (reason is not null)
                {
                    throw new CodecFailure(reason);
                }
                WriteSecondsAndNanos(context.Buffer, seconds, nanos);
                break;
            }
            case WellKnownType.FieldMask:
                WriteFieldMask(text, context);
                break;
            default:
                throw new CodecFailure($"a {message.FullName} cannot be set from text");
        }
    }

    /// <summary>Writes the current string token, unescaped, as a length-delimited value.</summary>
    private static void WriteJsonString(ref Utf8JsonReader reader, ProtoBuffer buffer)
    {
        if (!reader.ValueIsEscaped)
        {
            // Utf8JsonReader does not check the UTF-8 of string contents; a proto3 string must be valid.
            if (!Utf8.IsValid(reader.ValueSpan))
            {
                throw new CodecFailure("string is not valid UTF-8");
            }
            buffer.WriteDelimited(reader.ValueSpan);
            return;
        }
        // Unescaping never makes a string longer; CopyString refuses invalid UTF-8 and lone surrogates.
        var start = buffer.BeginDelimited();
        var written = reader.CopyString(buffer.GetSpan(reader.ValueSpan.Length));
        buffer.Advance(written);
        buffer.EndDelimited(start);
    }

    private static ReadOnlySpan<byte> ReadString(scoped ref Utf8JsonReader reader, CodecContext context, string expected)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw Unexpected(ref reader, expected);
        }
        return Unescaped(ref reader, context);
    }

    /// <summary>The current string or property name, unescaped; valid until the next call.</summary>
    private static ReadOnlySpan<byte> Unescaped(scoped ref Utf8JsonReader reader, CodecContext context)
    {
        if (!reader.ValueIsEscaped)
        {
            return reader.ValueSpan;
        }
        var scratch = context.Scratch(reader.ValueSpan.Length);
        return scratch[..reader.CopyString(scratch)];
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType token, string expected)
    {
        if (reader.TokenType != token)
        {
            throw Unexpected(ref reader, expected);
        }
    }

    private static CodecFailure Unexpected(ref Utf8JsonReader reader, string expected) =>
        new($"expected {expected}, got {Describe(reader.TokenType)}");

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };
}
