using System.Buffers;
using System.Text;
using Google.Protobuf;
using Sluice.Plugins.Grpc.Codec;
using Sluice.Tests.Plugins.Grpc.Codec.Protos;
using static Sluice.Tests.Plugins.Grpc.Codec.CodecFixture;

namespace Sluice.Tests.Plugins.Grpc.Codec;

/// <summary>Bad input is refused with the exact field path and the reason, which a gateway answers as a 400.</summary>
public sealed class CodecErrorTests
{
    [Theory]
    // Malformed JSON: the path is where the reader was when the JSON broke.
    [InlineData("""{"scalars": {"fInt32": 1,}}""", "scalars", "malformed JSON")]
    [InlineData("""{"scalars": {"fInt32": 1}""", "", "malformed JSON")]
    [InlineData("""{"strings": ["a" "b"]}""", "strings[0]", "malformed JSON")]
    [InlineData("", "", "malformed JSON")]
    [InlineData("""{} {}""", "", "malformed JSON")]
    // Wrong types.
    [InlineData("""{"scalars": {"fInt32": "abc"}}""", "scalars.fInt32", "'abc' is not a number")]
    [InlineData("""{"scalars": {"fString": 1}}""", "scalars.fString", "expected a string, got a number")]
    [InlineData("""{"scalars": {"fBool": "true"}}""", "scalars.fBool", "expected true or false, got a string")]
    [InlineData("""{"scalars": []}""", "scalars", "expected an object, got an array")]
    [InlineData("""{"strings": "a"}""", "strings", "expected an array, got a string")]
    [InlineData("""{"labels": []}""", "labels", "expected an object, got an array")]
    [InlineData("""{"scalars": {"fInt64": 1.5}}""", "scalars.fInt64", "1.5 is not an integer")]
    [InlineData("""{"scalars": {"fInt64": "+1"}}""", "scalars.fInt64", "'+1' is not a number")]
    [InlineData("""{"scalars": {"fUint32": -1}}""", "scalars.fUint32", "-1 is out of range for uint32")]
    [InlineData("""{"timestamp": "yesterday"}""", "timestamp", "expected an RFC 3339 timestamp")]
    [InlineData("""{"duration": "5 minutes"}""", "duration", "expected a duration")]
    // Out-of-range numbers.
    [InlineData("""{"scalarList": [{}, {"fInt32": 2147483648}]}""", "scalarList[1].fInt32", "2147483648 is out of range for int32")]
    [InlineData("""{"scalars": {"fSfixed32": "-2147483649"}}""", "scalars.fSfixed32", "-2147483649 is out of range for int32")]
    [InlineData("""{"scalars": {"fInt64": "9223372036854775808"}}""", "scalars.fInt64", "9223372036854775808 is out of range for int64")]
    [InlineData("""{"scalars": {"fFloat": 1e39}}""", "scalars.fFloat", "1e39 is out of range for float")]
    [InlineData("""{"scalars": {"fDouble": "1e999"}}""", "scalars.fDouble", "1e999 is out of range for double")]
    // Bad base64.
    [InlineData("""{"blobs": ["AAAA", "!!"]}""", "blobs[1]", "invalid base64")]
    [InlineData("""{"scalars": {"fBytes": "A"}}""", "scalars.fBytes", "invalid base64")]
    // Unknown enum names.
    [InlineData("""{"colors": ["RED", "PURPLE"]}""", "colors[1]", "unknown value \"PURPLE\" for enum sluice.tests.codec.Color")]
    [InlineData("""{"byInt64": {"7": "red"}}""", "byInt64[\"7\"]", "unknown value \"red\" for enum sluice.tests.codec.Color")]
    // Unknown fields.
    [InlineData("""{"inner": {"nmae": "x"}}""", "inner.nmae", "unknown field of sluice.tests.codec.Everything.Inner")]
    [InlineData("""{"anys": [{"@type": "type.googleapis.com/sluice.tests.codec.Scalars", "nope": 1}]}""", "anys[0].nope", "unknown field of sluice.tests.codec.Scalars")]
    // Two members of a oneof.
    [InlineData("""{"choiceText": "a", "choiceNumber": "1"}""", "choiceNumber", "more than one field of oneof 'choice' is set")]
    [InlineData("""{"choiceText": null, "choice_color": "RED"}""", "choice_color", "more than one field of oneof 'choice' is set")]
    // Nulls where the mapping has none.
    [InlineData("""{"strings": ["a", null]}""", "strings[1]", "repeated field elements cannot be null")]
    [InlineData("""{"labels": {"k": null}}""", "labels[\"k\"]", "map values cannot be null")]
    // Map keys, original field names, Struct keys and Any types in the path.
    [InlineData("""{"byInt32": {"12": {"fBool": 1}}}""", "byInt32[\"12\"].fBool", "expected true or false, got a number")]
    [InlineData("""{"byInt32": {"twelve": {}}}""", "byInt32[\"twelve\"]", "map key 'twelve' is not a number")]
    [InlineData("""{"byBool": {"yes": "x"}}""", "byBool[\"yes\"]", "map key 'yes' is not true or false")]
    [InlineData("""{"scalar_list": [{"f_int32": "x"}]}""", "scalar_list[0].f_int32", "'x' is not a number")]
    [InlineData("""{"struct": {"a": {"b": [1, {"c": }]}}}""", "struct[\"a\"][\"b\"][1][\"c\"]", "malformed JSON")]
    [InlineData("""{"any": {"@type": "type.googleapis.com/nope.Nope"}}""", "any.@type", "unknown type \"type.googleapis.com/nope.Nope\"")]
    [InlineData("""{"any": {"fInt32": 1}}""", "any", "an Any needs an \"@type\"")]
    [InlineData("""{"any": {"@type": "type.googleapis.com/google.protobuf.Duration"}}""", "any", "needs a \"value\"")]
    public void Bad_json_is_refused_with_the_field_path_and_the_reason(string json, string path, string reason)
    {
        var error = Assert.Throws<ProtoJsonException>(() => ToProto(EverythingCodec, json));
        Assert.Equal(path, error.FieldPath);
        Assert.Contains(reason, error.Reason);
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void Unknown_fields_and_enum_names_are_skipped_when_asked()
    {
        var options = new ProtoJsonReadOptions(IgnoreUnknownFields: true);
        var json = """{"inner": {"nmae": {"deep": [1, 2]}, "name": "n"}, "colors": ["RED", "PURPLE", "BLUE"], "color": "PURPLE", "unknown": null}""";
        var parsed = Everything.Parser.ParseFrom(ToProto(EverythingCodec, json, options));
        Assert.Equal(new Everything { Inner = new Everything.Types.Inner { Name = "n" }, Colors = { Color.Red, Color.Blue } }, parsed);
        // Google.Protobuf's parser agrees.
        var google = new JsonParser(JsonParser.Settings.Default.WithIgnoreUnknownFields(true)).Parse<Everything>(json);
        Assert.Equal(google, parsed);
    }

    [Fact]
    public void Nesting_deeper_than_the_limit_is_refused()
    {
        var depth = 101;
        var json = new StringBuilder();
        for (var i = 0; i < depth; i++)
        {
            json.Append("{\"child\":");
        }
        json.Append("{}").Append('}', depth);
        var error = Assert.Throws<ProtoJsonException>(() => ToProto(EverythingCodec, json.ToString()));
        Assert.Contains("nested more than 100 levels deep", error.Reason);
        Assert.StartsWith("child.child.child", error.FieldPath);

        // Just inside the limit works.
        var inside = new StringBuilder();
        for (var i = 0; i < 98; i++)
        {
            inside.Append("{\"child\":");
        }
        inside.Append("{}").Append('}', 98);
        Assert.NotEmpty(ToProto(EverythingCodec, inside.ToString()));
    }

    [Fact]
    public void Malformed_protobuf_is_refused_with_the_field_path()
    {
        var bytes = new Everything { Scalars = new Scalars { FString = "hello" } }.ToByteArray();
        var truncated = bytes[..^2];
        var error = Assert.Throws<ProtoJsonException>(() => ToJson(EverythingCodec, truncated));
        Assert.Contains("malformed protobuf", error.Reason);

        // A string that is not UTF-8, inside a nested message.
        var invalid = new Everything { Scalars = new Scalars { FBytes = ByteString.CopyFrom(0xC3, 0x28) } }.ToByteArray();
        invalid[2] = 0x72; // turn field 15 (bytes, tag 0x7A) into field 14 (string, tag 0x72)
        error = Assert.Throws<ProtoJsonException>(() => ToJson(EverythingCodec, invalid));
        Assert.Equal("scalars.fString", error.FieldPath);
        Assert.Contains("not valid UTF-8", error.Reason);
    }

    [Fact]
    public void A_value_without_a_kind_has_no_json_form()
    {
        var bytes = new Everything { Value = new Google.Protobuf.WellKnownTypes.Value() }.ToByteArray();
        var error = Assert.Throws<ProtoJsonException>(() => ToJson(EverythingCodec, bytes));
        Assert.Equal("value", error.FieldPath);
    }

    [Fact]
    public void Unknown_message_names_are_refused_by_name()
    {
        var error = Assert.Throws<KeyNotFoundException>(() => Set.Get("sluice.tests.codec.Nope"));
        Assert.Contains("sluice.tests.codec.Nope", error.Message);
        Assert.True(Set.TryGet(".sluice.tests.codec.Shelf", out _));
    }

    [Fact]
    public void The_output_is_untouched_when_the_input_is_refused()
    {
        var output = new ArrayBufferWriter<byte>();
        Assert.Throws<ProtoJsonException>(() => EverythingCodec.JsonToProto("""{"scalars": {"fString": "ok"}, "color": 1.5}"""u8, output, ProtoJsonReadOptions.Default));
        Assert.Equal(0, output.WrittenCount);
    }
}
