// TEMPORARY: the agreed API of Plugins/Grpc/Codec (branch grpc-codec), so this branch compiles
// until that branch is merged. Deleted by the merge commit.
using System.Buffers;
using System.Text.Json;
using Google.Protobuf.Reflection;

namespace Sluice.Plugins.Grpc.Codec;

public sealed class ProtoCodecSet
{
    public static ProtoCodecSet Compile(IEnumerable<FileDescriptor> files) => throw new NotImplementedException();

    public bool TryGet(string fullMessageName, out MessageCodec? codec) => throw new NotImplementedException();

    public MessageCodec Get(string name) => throw new NotImplementedException();
}

public sealed class MessageCodec
{
    public MessageDescriptor Descriptor => throw new NotImplementedException();

    public void JsonToProto(ReadOnlySpan<byte> utf8Json, IBufferWriter<byte> output, ProtoJsonReadOptions options) => throw new NotImplementedException();

    public void ProtoToJson(ReadOnlySequence<byte> proto, Utf8JsonWriter writer, ProtoJsonWriteOptions options) => throw new NotImplementedException();

    public FieldPathCodec CompileFieldPath(string dottedPath) => throw new NotImplementedException();
}

public sealed class FieldPathCodec
{
    public void TextToProto(ReadOnlySpan<char> text, IBufferWriter<byte> output) => throw new NotImplementedException();

    public void JsonToProto(ReadOnlySpan<byte> utf8Json, IBufferWriter<byte> output, ProtoJsonReadOptions options) => throw new NotImplementedException();

    public void ProtoToJson(ReadOnlySequence<byte> proto, Utf8JsonWriter writer, ProtoJsonWriteOptions options) => throw new NotImplementedException();
}

public sealed record ProtoJsonReadOptions(bool IgnoreUnknownFields = false);

public sealed record ProtoJsonWriteOptions(bool EmitDefaultValues = false);

public sealed class ProtoJsonException(string fieldPath, string message) : Exception(message)
{
    public string FieldPath { get; } = fieldPath;
}
