using System.Buffers;
using System.Text.Json;
using Google.Protobuf;
using Sluice.Plugins.Grpc.Codec;
using Sluice.Tests.Plugins.Grpc.Codec.Protos;
using static Sluice.Tests.Plugins.Grpc.Codec.CodecFixture;

namespace Sluice.Tests.Plugins.Grpc.Codec;

/// <summary>
/// The codec is compiled up front, so a conversion should allocate (next to) nothing: its state is
/// reused per thread, buffers come from pools, lookups take spans. Not a timing test: it counts bytes
/// this thread allocates over many round trips of a small message, which a per-field or per-request
/// allocation would multiply.
/// </summary>
public sealed class CodecAllocationTests
{
    [Fact]
    public void A_small_message_round_trip_allocates_nothing_per_call()
    {
        var json = """{"scalars": {"fInt32": 7, "fInt64": "-9", "fString": "héllo", "fBytes": "AQID", "fColor": "BLUE", "fDouble": 1.5}, "strings": ["a", "b"], "labels": {"k": "v"}, "byInt32": {"3": {"fBool": true}}, "choiceText": "x", "timestamp": "2024-01-02T03:04:05.123Z", "value": {"a": [1, null]}}"""u8.ToArray();
        var proto = new ArrayBufferWriter<byte>(4096);
        var jsonOut = new ArrayBufferWriter<byte>(4096);
        using var writer = new Utf8JsonWriter(jsonOut);
        var query = EverythingCodec.CompileFieldPath("scalars.f_int32");

        void RoundTrip()
        {
            proto.ResetWrittenCount();
            EverythingCodec.JsonToProto(json, proto, ProtoJsonReadOptions.Default);
            query.TextToProto("42", proto);
            jsonOut.ResetWrittenCount();
            writer.Reset(jsonOut);
            EverythingCodec.ProtoToJson(new ReadOnlySequence<byte>(proto.WrittenMemory), writer, ProtoJsonWriteOptions.Default);
            writer.Flush();
        }

        for (var i = 0; i < 50; i++)
        {
            RoundTrip(); // warm up: JIT, pools, the thread's context
        }
        const int Calls = 1000;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Calls; i++)
        {
            RoundTrip();
        }
        var perCall = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)Calls;

        Assert.True(perCall < 16, $"a round trip allocated {perCall:F1} bytes on average");
        // And the round trip was real.
        var message = Everything.Parser.ParseFrom(proto.WrittenSpan);
        Assert.Equal(42, message.Scalars.FInt32);
        Assert.Equal(Canonical(Formatter.Format(message)), Canonical(System.Text.Encoding.UTF8.GetString(jsonOut.WrittenSpan)));
    }
}
