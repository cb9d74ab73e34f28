using System.Buffers;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Sluice.Plugins.Grpc.Codec;
using Sluice.Tests.Plugins.Grpc.Codec.Protos;
using static Sluice.Tests.Plugins.Grpc.Codec.CodecFixture;

namespace Sluice.Tests.Plugins.Grpc.Codec;

/// <summary>Field paths for google.api.http: path variables and query parameters as text, body and response_body fields.</summary>
public sealed class FieldPathCodecTests
{
    private static Everything FromText(string path, params string[] texts)
    {
        var codec = EverythingCodec.CompileFieldPath(path);
        var output = new ArrayBufferWriter<byte>();
        foreach (var text in texts)
        {
            codec.TextToProto(text, output);
        }
        return Everything.Parser.ParseFrom(output.WrittenSpan);
    }

    public static TheoryData<string, string, Everything> TextForms() => new()
    {
        { "scalars.f_double", "1.5", new() { Scalars = new() { FDouble = 1.5 } } },
        { "scalars.f_double", "NaN", new() { Scalars = new() { FDouble = double.NaN } } },
        { "scalars.f_double", "-Infinity", new() { Scalars = new() { FDouble = double.NegativeInfinity } } },
        { "scalars.f_double", "1e3", new() { Scalars = new() { FDouble = 1000 } } },
        { "scalars.f_float", "0.25", new() { Scalars = new() { FFloat = 0.25f } } },
        { "scalars.f_int32", "-5", new() { Scalars = new() { FInt32 = -5 } } },
        { "scalars.f_int32", "1e2", new() { Scalars = new() { FInt32 = 100 } } },
        { "scalars.f_int64", "-9223372036854775808", new() { Scalars = new() { FInt64 = long.MinValue } } },
        { "scalars.f_uint32", "4294967295", new() { Scalars = new() { FUint32 = uint.MaxValue } } },
        { "scalars.f_uint64", "18446744073709551615", new() { Scalars = new() { FUint64 = ulong.MaxValue } } },
        { "scalars.f_sint32", "-7", new() { Scalars = new() { FSint32 = -7 } } },
        { "scalars.f_sint64", "-70000000000", new() { Scalars = new() { FSint64 = -70000000000 } } },
        { "scalars.f_fixed32", "7", new() { Scalars = new() { FFixed32 = 7 } } },
        { "scalars.f_fixed64", "8", new() { Scalars = new() { FFixed64 = 8 } } },
        { "scalars.f_sfixed32", "-9", new() { Scalars = new() { FSfixed32 = -9 } } },
        { "scalars.f_sfixed64", "-10", new() { Scalars = new() { FSfixed64 = -10 } } },
        { "scalars.f_bool", "true", new() { Scalars = new() { FBool = true } } },
        { "scalars.f_string", "héllo wörld/?&", new() { Scalars = new() { FString = "héllo wörld/?&" } } },
        { "scalars.f_bytes", "-_8", new() { Scalars = new() { FBytes = ByteString.CopyFrom(0xFB, 0xFF) } } },
        { "scalars.f_bytes", "+/8=", new() { Scalars = new() { FBytes = ByteString.CopyFrom(0xFB, 0xFF) } } },
        { "scalars.f_color", "BLUE", new() { Scalars = new() { FColor = Color.Blue } } },
        { "scalars.fColor", "2", new() { Scalars = new() { FColor = Color.Green } } },
        { "scalars.fColor", "77", new() { Scalars = new() { FColor = (Color)77 } } },
        { "timestamp", "2024-01-02T03:04:05.5+01:00", new() { Timestamp = new() { Seconds = 1704161045, Nanos = 500_000_000 } } },
        { "duration", "-1.5s", new() { Duration = new() { Seconds = -1, Nanos = -500_000_000 } } },
        { "field_mask", "a.bC,d", new() { FieldMask = FieldMask.FromString("a.b_c,d") } },
        { "int64_value", "5", new() { Int64Value = 5 } },
        { "string_value", "", new() { StringValue = "" } },
        { "bool_value", "false", new() { BoolValue = false } },
        { "inner.name", "n", new() { Inner = new() { Name = "n" } } },
        { "child.child.color", "RED", new() { Child = new() { Child = new() { Color = Color.Red } } } },
        { "far_away", "x", new() { FarAway = "x" } },
        { "choice_number", "0", new() { ChoiceNumber = 0 } },
    };

    [Theory]
    [MemberData(nameof(TextForms))]
    public void Text_sets_the_field_it_names(string path, string text, Everything expected)
    {
        Assert.Equal(expected, FromText(path, text));
    }

    [Fact]
    public void A_repeated_leaf_gets_one_element_per_call()
    {
        Assert.Equal(new Everything { Strings = { "a", "b", "" } }, FromText("strings", "a", "b", ""));
        Assert.Equal(new Everything { PackedInt32 = { 1, 0, -3 } }, FromText("packed_int32", "1", "0", "-3"));
        Assert.Equal(new Everything { Inner = new() { Numbers = { 4, 5 } } }, FromText("inner.numbers", "4", "5"));
        Assert.Equal(new Everything { Timestamps = { new Timestamp(), new Timestamp { Seconds = 1 } } },
            FromText("timestamps", "1970-01-01T00:00:00Z", "1970-01-01T00:00:01Z"));
    }

    [Fact]
    public void Text_overrides_the_body_even_with_a_default_value()
    {
        // The caller concatenates the body's encoding and each parameter's: protobuf merge semantics.
        var output = new ArrayBufferWriter<byte>();
        EverythingCodec.JsonToProto("""{"scalars": {"fInt32": 5, "fString": "body"}, "strings": ["a"]}"""u8, output, ProtoJsonReadOptions.Default);
        EverythingCodec.CompileFieldPath("scalars.f_int32").TextToProto("0", output);
        EverythingCodec.CompileFieldPath("strings").TextToProto("b", output);
        var merged = Everything.Parser.ParseFrom(output.WrittenSpan);
        Assert.Equal(new Everything { Scalars = new() { FInt32 = 0, FString = "body" }, Strings = { "a", "b" } }, merged);
    }

    [Theory]
    [InlineData("scalars.f_int32", "abc", "'abc' is not a number")]
    [InlineData("scalars.f_int32", "2147483648", "2147483648 is out of range for int32")]
    [InlineData("scalars.f_int32", " 1", "is not a number")]
    [InlineData("scalars.f_uint64", "-1", "-1 is out of range for uint64")]
    [InlineData("scalars.f_float", "1e39", "out of range for float")]
    [InlineData("scalars.f_bool", "yes", "'yes' is not true or false")]
    [InlineData("scalars.f_color", "PURPLE", "unknown value \"PURPLE\" for enum sluice.tests.codec.Color")]
    [InlineData("scalars.f_bytes", "!!", "invalid base64")]
    [InlineData("timestamp", "2024-13-01T00:00:00Z", "expected an RFC 3339 timestamp")]
    [InlineData("duration", "1m", "expected a duration")]
    [InlineData("labels", "x", "a map field cannot be set from text")]
    [InlineData("scalars", "x", "is a message (sluice.tests.codec.Scalars) and cannot be set from text")]
    [InlineData("struct", "x", "is a message (google.protobuf.Struct)")]
    public void Bad_text_is_refused_naming_the_path(string path, string text, string reason)
    {
        var codec = EverythingCodec.CompileFieldPath(path);
        var output = new ArrayBufferWriter<byte>();
        var error = Assert.Throws<ProtoJsonException>(() => codec.TextToProto(text, output));
        Assert.Equal(path, error.FieldPath);
        Assert.Contains(reason, error.Reason);
        Assert.Equal(0, output.WrittenCount);
    }

    [Theory]
    [InlineData("scalars.nope", "scalars.nope", "has no field 'nope'")]
    [InlineData("nope", "nope", "has no field 'nope'")]
    [InlineData("scalar_list.f_int32", "scalar_list", "is repeated")]
    [InlineData("labels.x", "labels", "is a map")]
    [InlineData("color.x", "color.x", "'color' is not a message")]
    [InlineData("scalars..f_int32", "scalars.", "has no field ''")]
    public void Bad_paths_are_refused_when_compiled(string path, string errorPath, string reason)
    {
        var error = Assert.Throws<ProtoJsonException>(() => EverythingCodec.CompileFieldPath(path));
        Assert.Equal(errorPath, error.FieldPath);
        Assert.Contains(reason, error.Reason);
    }

    [Fact]
    public void Json_names_are_accepted_in_paths()
    {
        var codec = EverythingCodec.CompileFieldPath("scalars.fInt64");
        Assert.Equal("f_int64", codec.Leaf.Name);
        Assert.Equal("customName", EverythingCodec.CompileFieldPath("customName").Leaf.JsonName);
    }

    [Fact]
    public void A_body_field_takes_the_json_of_that_field()
    {
        static Everything Body(string path, string json)
        {
            var output = new ArrayBufferWriter<byte>();
            EverythingCodec.CompileFieldPath(path).JsonToProto(Encoding.UTF8.GetBytes(json), output, ProtoJsonReadOptions.Default);
            return Everything.Parser.ParseFrom(output.WrittenSpan);
        }

        Assert.Equal(new Everything { Scalars = new() { FInt32 = 3 } }, Body("scalars", """{"fInt32": 3}"""));
        Assert.Equal(new Everything { Strings = { "a", "b" } }, Body("strings", """["a", "b"]"""));
        Assert.Equal(new Everything { Inner = new() { Back = new() { Labels = { ["k"] = "v" } } } }, Body("inner.back.labels", """{"k": "v"}"""));
        Assert.Equal(new Everything { Child = new() { Color = Color.Unspecified } }, Body("child.color", "\"COLOR_UNSPECIFIED\""));
        Assert.Equal(new Everything { Timestamp = new() { Seconds = 1 } }, Body("timestamp", "\"1970-01-01T00:00:01Z\""));

        var error = Assert.Throws<ProtoJsonException>(() => Body("scalars", """{"fInt32": "x"}"""));
        Assert.Equal("scalars.fInt32", error.FieldPath);
    }

    [Fact]
    public void A_response_body_field_writes_only_that_field()
    {
        var message = new Everything
        {
            Scalars = new() { FInt64 = 5, FString = "s" },
            Strings = { "a", "b" },
            Inner = new() { Back = new() { Color = Color.Blue } },
            Timestamp = new() { Seconds = 1 },
        };
        var bytes = message.ToByteArray();
        string Response(string path, ProtoJsonWriteOptions? options = null)
        {
            var output = new ArrayBufferWriter<byte>();
            using (var writer = new Utf8JsonWriter(output))
            {
                EverythingCodec.CompileFieldPath(path).ProtoToJson(new ReadOnlySequence<byte>(bytes), writer, options ?? ProtoJsonWriteOptions.Default);
            }
            return Encoding.UTF8.GetString(output.WrittenSpan);
        }

        Assert.Equal(Canonical(Formatter.Format(message.Scalars)), Response("scalars"));
        Assert.Equal("\"5\"", Response("scalars.f_int64"));
        Assert.Equal("[\"a\",\"b\"]", Response("strings"));
        Assert.Equal("\"BLUE\"", Response("inner.back.color"));
        Assert.Equal("\"1970-01-01T00:00:01Z\"", Response("timestamp"));
        // Absent fields: their default value, null for messages.
        Assert.Equal("null", Response("child"));
        Assert.Equal("0", Response("child.scalars.f_int32"));
        Assert.Equal("[]", Response("colors"));
        Assert.Equal("{}", Response("labels"));
        Assert.Equal("\"COLOR_UNSPECIFIED\"", Response("color"));
        Assert.Equal(Canonical(DefaultsFormatter.Format(message.Scalars)), Response("scalars", new ProtoJsonWriteOptions(EmitDefaultValues: true)));
    }

    [Fact]
    public void A_response_body_field_merges_repeated_occurrences_of_its_parents()
    {
        byte[] bytes = [.. new Everything { Inner = new() { Numbers = { 1 } } }.ToByteArray(), .. new Everything { Inner = new() { Numbers = { 2 } } }.ToByteArray()];
        var output = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(output))
        {
            EverythingCodec.CompileFieldPath("inner.numbers").ProtoToJson(new ReadOnlySequence<byte>(bytes), writer, ProtoJsonWriteOptions.Default);
        }
        Assert.Equal("[1,2]", Encoding.UTF8.GetString(output.WrittenSpan));
    }
}
