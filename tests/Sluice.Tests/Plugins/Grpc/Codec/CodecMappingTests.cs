using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Sluice.Plugins.Grpc.Codec;
using Sluice.Tests.Plugins.Grpc.Codec.Protos;
using static Sluice.Tests.Plugins.Grpc.Codec.CodecFixture;

namespace Sluice.Tests.Plugins.Grpc.Codec;

/// <summary>
/// The input forms the mapping accepts beyond what JsonFormatter writes, and wire forms beyond what
/// Google.Protobuf writes; each checked against Google.Protobuf's reading of the same thing.
/// </summary>
public sealed class CodecMappingTests
{
    [Theory]
    [InlineData("""{"scalars": {"fInt64": 5, "fUint64": 4294967296, "fSint64": "-3", "fInt32": "1e2", "fUint32": 7.0}}""")]
    [InlineData("""{"scalars": {"fDouble": "NaN", "fFloat": "-Infinity"}, "packedDouble": ["Infinity", -0, "1.5", 2e-3]}""")]
    [InlineData("""{"scalars": {"fColor": 2}, "colors": ["BLUE", 77, -1], "color": "NEGATIVE"}""")]
    [InlineData("""{"scalars": {"fBytes": "+/8="}, "blobs": ["", "AQID", "AQI="]}""")]
    [InlineData("""{"byBool": {"true": "t", "false": "f"}, "bySint64": {"-9223372036854775808": "min"}, "byUint32": {"0": "AA=="}}""")]
    [InlineData("""{"timestamp": "2024-02-29T23:59:59.5+01:30", "duration": "-0.000000001s", "timestamps": ["1970-01-01T00:00:00.123456Z"]}""")]
    [InlineData("""{"value": null, "values": [null, 1, "s", true, {"a": [null]}, []], "nullValue": null, "struct": {"k": {"n": null}}}""")]
    [InlineData("""{"any": {"fInt32": 3, "@type": "type.googleapis.com/sluice.tests.codec.Scalars"}}""")]
    [InlineData("""{"any": {"@type": "type.googleapis.com/google.protobuf.Any", "value": {"@type": "type.googleapis.com/google.protobuf.Empty", "value": {}}}}""")]
    [InlineData("""{"fieldMask": "a.bC,dEf", "int32Value": 0, "stringValue": "", "doubleValue": -0}""")]
    [InlineData("""{"choice_time": "1999-12-31T23:59:59Z", "maybe_int32": 0, "maybeColor": "COLOR_UNSPECIFIED", "renamed": "x"}""")]
    [InlineData("""{"scalars": null, "strings": null, "labels": null, "timestamp": null, "int32Value": null, "choiceText": null}""")]
    [InlineData("""{"farAway": "\u00e9\ud83d\ude00\"\\", "inner": {"numbers": [1, -2, 3]}, "customName": "y"}""")]
    public void Json_input_forms_read_as_JsonParser_reads_them(string json)
    {
        var expected = Parser.Parse<Everything>(json);
        var actual = Everything.Parser.ParseFrom(ToProto(EverythingCodec, json));
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Url_safe_and_unpadded_base64_are_accepted_though_JsonParser_refuses_them()
    {
        var actual = Everything.Parser.ParseFrom(ToProto(EverythingCodec, """{"blobs": ["-_8", "-_8=", "+/8", "_w", "AQ"]}"""));
        Assert.Equal(
            [ByteString.CopyFrom(0xFB, 0xFF), ByteString.CopyFrom(0xFB, 0xFF), ByteString.CopyFrom(0xFB, 0xFF), ByteString.CopyFrom(0xFF), ByteString.CopyFrom(0x01)],
            actual.Blobs);
    }

    [Fact]
    public void A_repeated_json_key_merges_where_JsonParser_replaces()
    {
        // Encodings merge by concatenation, so a message field given twice merges; JsonParser keeps only the
        // second. Proto3 JSON leaves duplicate keys undefined; the difference is documented in the README.
        var json = """{"inner": {"numbers": [1]}, "inner": {"name": "second"}}""";
        var actual = Everything.Parser.ParseFrom(ToProto(EverythingCodec, json));
        Assert.Equal(new Everything.Types.Inner { Name = "second", Numbers = { 1 } }, actual.Inner);
    }

    [Fact]
    public void Wire_forms_Google_Protobuf_does_not_write_are_read_as_it_reads_them()
    {
        var output = new CodedOutputStreamBuffer();
        // Unpacked elements of a packed field, interleaved with a packed run.
        output.Stream.WriteTag(5, WireFormat.WireType.Varint);
        output.Stream.WriteInt32(1);
        output.Stream.WriteTag(5, WireFormat.WireType.LengthDelimited);
        output.Stream.WriteLength(2);
        output.Stream.WriteInt32(2);
        output.Stream.WriteInt32(3);
        // A field out of order, a scalar twice (the last wins), a message twice (they merge).
        output.Stream.WriteTag(2, WireFormat.WireType.Varint);
        output.Stream.WriteEnum(1);
        output.Stream.WriteTag(1, WireFormat.WireType.LengthDelimited);
        output.Stream.WriteBytes(new Scalars { FInt32 = 1, FString = "a" }.ToByteString());
        output.Stream.WriteTag(2, WireFormat.WireType.Varint);
        output.Stream.WriteEnum(2);
        output.Stream.WriteTag(1, WireFormat.WireType.LengthDelimited);
        output.Stream.WriteBytes(new Scalars { FInt64 = 2, FString = "b" }.ToByteString());
        // Oneof members: the last one set wins.
        output.Stream.WriteTag(28, WireFormat.WireType.LengthDelimited);
        output.Stream.WriteString("text");
        output.Stream.WriteTag(29, WireFormat.WireType.Varint);
        output.Stream.WriteInt64(9);
        // Unknown fields of every wire type, and a known field with the wrong wire type.
        output.Stream.WriteTag(1000, WireFormat.WireType.Varint);
        output.Stream.WriteInt64(-1);
        output.Stream.WriteTag(1001, WireFormat.WireType.Fixed32);
        output.Stream.WriteFixed32(1);
        output.Stream.WriteTag(1002, WireFormat.WireType.Fixed64);
        output.Stream.WriteFixed64(1);
        output.Stream.WriteTag(1003, WireFormat.WireType.LengthDelimited);
        output.Stream.WriteString("skip me");
        output.Stream.WriteTag(1004, WireFormat.WireType.StartGroup);
        output.Stream.WriteTag(1, WireFormat.WireType.Varint);
        output.Stream.WriteInt32(1);
        output.Stream.WriteTag(1004, WireFormat.WireType.EndGroup);
        output.Stream.WriteTag(13, WireFormat.WireType.Varint);
        output.Stream.WriteInt32(5);
        var bytes = output.ToArray();

        var google = Everything.Parser.ParseFrom(bytes);
        var json = ToJson(EverythingCodec, bytes);
        // JsonFormatter writes unknown fields nowhere, so the JSON equals its output for the parsed message.
        Assert.Equal(Canonical(Formatter.Format(google)), Canonical(json));
        Assert.Equal([1, 2, 3], google.PackedInt32);
        Assert.Equal(9, google.ChoiceNumber);
    }

    [Fact]
    public void Json_fields_in_any_order_encode_the_same_message()
    {
        var message = new Everything { Scalars = new Scalars { FInt32 = 1 }, Color = Color.Green, Strings = { "a", "b" }, FarAway = "far" };
        var json = """{"farAway": "far", "strings": ["a", "b"], "color": "GREEN", "scalars": {"fInt32": 1}}""";
        Assert.Equal(message, Everything.Parser.ParseFrom(ToProto(EverythingCodec, json)));
    }

    [Fact]
    public void Top_level_well_known_types_use_their_own_json_forms()
    {
        var timestamp = Set.Get("google.protobuf.Timestamp");
        var value = new Timestamp { Seconds = 1, Nanos = 500_000_000 };
        Assert.Equal("\"1970-01-01T00:00:01.500Z\"", ToJson(timestamp, value.ToByteArray()));
        Assert.Equal(value.ToByteArray(), ToProto(timestamp, "\"1970-01-01T00:00:01.5Z\""));

        var wrapper = Set.Get("google.protobuf.Int64Value");
        Assert.Equal("\"0\"", ToJson(wrapper, []));
        Assert.Equal(new Int64Value { Value = -5 }.ToByteArray(), ToProto(wrapper, "-5"));

        var value2 = Set.Get("google.protobuf.Value");
        Assert.Equal("[1,\"a\",null]", ToJson(value2, Value.ForList(Value.ForNumber(1), Value.ForString("a"), Value.ForNull()).ToByteArray()));
    }

    [Fact]
    public void Concatenated_encodings_merge()
    {
        var body = ToProto(EverythingCodec, """{"scalars": {"fInt32": 1, "fString": "body"}, "strings": ["a"]}""");
        var more = ToProto(EverythingCodec, """{"scalars": {"fInt32": 2}, "strings": ["b"]}""");
        var merged = Everything.Parser.ParseFrom([.. body, .. more]);
        Assert.Equal(new Everything { Scalars = new Scalars { FInt32 = 2, FString = "body" }, Strings = { "a", "b" } }, merged);
    }

    [Fact]
    public void An_any_of_a_type_outside_the_set_fails_or_is_written_as_bytes_when_asked()
    {
        var bytes = new Everything { Any = new Any { TypeUrl = "type.googleapis.com/other.Unknown", Value = ByteString.CopyFrom(1, 2, 3) } }.ToByteArray();
        var error = Assert.Throws<ProtoJsonException>(() => ToJson(EverythingCodec, bytes));
        Assert.Equal("any.@type", error.FieldPath);
        Assert.Contains("other.Unknown", error.Reason);
        Assert.Equal("""{"any":{"@type":"type.googleapis.com/other.Unknown","value":"AQID"}}""",
            ToJson(EverythingCodec, bytes, new ProtoJsonWriteOptions(WriteUnresolvedAnyAsBytes: true)));
    }

    [Fact]
    public void Protobuf_in_several_segments_reads_as_in_one()
    {
        var message = new Everything { Scalars = new Scalars { FString = new string('x', 300), FInt64 = 1 }, Strings = { "a", "b" }, Timestamp = new Timestamp { Seconds = 5 } };
        var bytes = message.ToByteArray();
        var first = new Segment(bytes.AsMemory(0, 7));
        var last = first.Append(bytes.AsMemory(7, 200)).Append(bytes.AsMemory(207));
        var output = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new System.Text.Json.Utf8JsonWriter(output))
        {
            EverythingCodec.ProtoToJson(new System.Buffers.ReadOnlySequence<byte>(first, 0, last, last.Memory.Length), writer, ProtoJsonWriteOptions.Default);
        }
        Assert.Equal(Canonical(Formatter.Format(message)), System.Text.Encoding.UTF8.GetString(output.WrittenSpan));
    }

    [Fact]
    public void Conversions_on_many_threads_at_once_do_not_interfere()
    {
        var messages = Enumerable.Range(0, 64)
            .Select(i => new Everything { Scalars = new Scalars { FInt32 = i, FString = new string('s', i * 10) }, Strings = { i.ToString() }, Child = new Everything { Color = (Color)(i % 4) } })
            .ToArray();
        Parallel.For(0, 2000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            var message = messages[i % messages.Length];
            var json = ToJson(EverythingCodec, message.ToByteArray());
            Assert.Equal(message, Everything.Parser.ParseFrom(ToProto(EverythingCodec, json)));
        });
    }

    private sealed class Segment : System.Buffers.ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }

    /// <summary>A CodedOutputStream over a growable buffer, for hand-written wire input.</summary>
    private sealed class CodedOutputStreamBuffer
    {
        private readonly MemoryStream _memory = new();

        public CodedOutputStreamBuffer() => Stream = new CodedOutputStream(_memory, leaveOpen: true);

        public CodedOutputStream Stream { get; }

        public byte[] ToArray()
        {
            Stream.Flush();
            return _memory.ToArray();
        }
    }
}
