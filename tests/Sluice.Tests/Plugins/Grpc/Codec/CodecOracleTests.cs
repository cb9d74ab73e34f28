using CsCheck;
using Google.Protobuf;
using Sluice.Plugins.Grpc.Codec;
using Sluice.Tests.Plugins.Grpc.Codec.Protos;
using static Sluice.Tests.Plugins.Grpc.Codec.CodecFixture;

namespace Sluice.Tests.Plugins.Grpc.Codec;

/// <summary>
/// The codec against an oracle: for the generated C# types of codec_test.proto, Sluice's descriptor-driven
/// codec must agree with Google.Protobuf's own binary format and JsonFormatter/JsonParser, over thousands
/// of random messages (<see cref="MessageGen"/>). CsCheck prints the seed of a failing case; pass it as
/// <c>seed:</c> to replay.
/// </summary>
public sealed class CodecOracleTests
{
    private const int Iterations = 2000;

    /// <summary>
    /// Random messages are first put through their own binary round trip: Google.Protobuf's binary
    /// format drops what proto3 cannot carry (a singular -0.0 is not written, as it equals 0), and both
    /// sides are compared on what the wire can hold.
    /// </summary>
    private static readonly Gen<Everything> Messages = new MessageGen().Select(m => Everything.Parser.ParseFrom(m.ToByteArray()));

    [Fact]
    public void Proto_to_json_writes_what_JsonFormatter_writes()
    {
        Messages.Sample(message =>
        {
            var expected = Formatter.Format(message);
            var actual = ToJson(EverythingCodec, message.ToByteArray());
            // Compared as canonical text (see Canonical): same properties in the same order, same
            // number spellings (floats included), same string values.
            Assert.Equal(Canonical(expected), Canonical(actual));
            // And Google.Protobuf reads Sluice's JSON back as the same message.
            Assert.Equal(message, Parser.Parse<Everything>(actual));
        }, iter: Iterations, threads: 1);
    }

    [Fact]
    public void Json_to_proto_gives_the_bytes_Google_Protobuf_writes()
    {
        Messages.Sample(message =>
        {
            var json = Formatter.Format(message);
            var bytes = ToProto(EverythingCodec, json);
            // Byte for byte: JsonFormatter writes fields in field-number order, as the binary format
            // does, and the codec encodes each field as Google.Protobuf would.
            Assert.Equal(Convert.ToHexString(message.ToByteArray()), Convert.ToHexString(bytes));
            Assert.Equal(message, Everything.Parser.ParseFrom(bytes));
        }, iter: Iterations, threads: 1);
    }

    [Fact]
    public void Emitting_default_values_matches_JsonFormatter_with_FormatDefaultValues()
    {
        Messages.Sample(message =>
        {
            var expected = DefaultsFormatter.Format(message);
            var actual = ToJson(EverythingCodec, message.ToByteArray(), new ProtoJsonWriteOptions(EmitDefaultValues: true));
            Assert.Equal(Canonical(expected), Canonical(actual));
            // And reads back to the same message (defaults written out change nothing).
            Assert.Equal(message, Everything.Parser.ParseFrom(ToProto(EverythingCodec, actual)));
        }, iter: Iterations / 2, threads: 1);
    }

    [Fact]
    public void Original_proto_field_names_are_accepted_like_JsonParser_accepts_them()
    {
        Messages.Sample(message =>
        {
            var json = ProtoNamesFormatter.Format(message);
            var bytes = ToProto(EverythingCodec, json);
            Assert.Equal(message, Everything.Parser.ParseFrom(bytes));
            Assert.Equal(message, Parser.Parse<Everything>(json));
        }, iter: Iterations / 4, threads: 1);
    }
}
