using System.Buffers;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using Sluice.Plugins.Grpc.Codec;
using Sluice.Tests.Plugins.Grpc.Codec.Protos;

namespace Sluice.Tests.Plugins.Grpc.Codec;

/// <summary>The codec set compiled from the test proto, and Google.Protobuf's formatter/parser configured alike.</summary>
internal static class CodecFixture
{
    public static ProtoCodecSet Set { get; } = ProtoCodecSet.Compile([CodecTestReflection.Descriptor]);

    public static MessageCodec EverythingCodec { get; } = Set.Get("sluice.tests.codec.Everything");

    public static TypeRegistry Registry { get; } = TypeRegistry.FromFiles(
        CodecTestReflection.Descriptor, AnyReflection.Descriptor, DurationReflection.Descriptor, EmptyReflection.Descriptor,
        FieldMaskReflection.Descriptor, StructReflection.Descriptor, TimestampReflection.Descriptor, WrappersReflection.Descriptor);

    public static JsonFormatter Formatter { get; } = new(JsonFormatter.Settings.Default.WithTypeRegistry(Registry));

    public static JsonFormatter DefaultsFormatter { get; } =
        new(JsonFormatter.Settings.Default.WithTypeRegistry(Registry).WithFormatDefaultValues(true));

    public static JsonFormatter ProtoNamesFormatter { get; } =
        new(JsonFormatter.Settings.Default.WithTypeRegistry(Registry).WithPreserveProtoFieldNames(true));

    public static JsonParser Parser { get; } = new(JsonParser.Settings.Default.WithTypeRegistry(Registry));

    public static string ToJson(MessageCodec codec, byte[] proto, ProtoJsonWriteOptions? options = null)
    {
        var output = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(output))
        {
            codec.ProtoToJson(new ReadOnlySequence<byte>(proto), writer, options ?? ProtoJsonWriteOptions.Default);
        }
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    public static byte[] ToProto(MessageCodec codec, string json, ProtoJsonReadOptions? options = null)
    {
        var output = new ArrayBufferWriter<byte>();
        codec.JsonToProto(Encoding.UTF8.GetBytes(json), output, options ?? ProtoJsonReadOptions.Default);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>
    /// JSON text in one canonical spelling: parsed and rewritten by Utf8JsonWriter without indentation.
    /// Whitespace and the escaping of strings differ between JsonFormatter and Utf8JsonWriter by design;
    /// property order, every token, and the text of every number (JsonElement keeps it raw) survive,
    /// so two canonical texts are equal exactly when the JSON is the same, number spelling included.
    /// </summary>
    public static string Canonical(string json)
    {
        using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 512 });
        var output = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(output, new JsonWriterOptions { MaxDepth = 512 }))
        {
            document.WriteTo(writer);
        }
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }
}
