namespace Sluice.Plugins.Grpc.Codec;

/// <summary>How <see cref="MessageCodec.ProtoToJson"/> writes its output.</summary>
/// <param name="EmitDefaultValues">
/// Also write fields without presence that hold their default value (0, "", false, the zero enum,
/// empty repeated fields and maps), as Google.Protobuf's <c>JsonFormatter.Settings.WithFormatDefaultValues(true)</c>
/// does. Fields with presence (messages, oneof members, proto3 <c>optional</c>) are written only when set.
/// </param>
/// <param name="WriteUnresolvedAnyAsBytes">
/// Write an Any whose type is not in the descriptor set as <c>{"@type": url, "value": "&lt;base64 of the
/// message&gt;"}</c> instead of failing (as JsonFormatter does). For gRPC error details, which may carry
/// types the service's descriptors do not declare.
/// </param>
public sealed record ProtoJsonWriteOptions(bool EmitDefaultValues = false, bool WriteUnresolvedAnyAsBytes = false)
{
    public static ProtoJsonWriteOptions Default { get; } = new();
}
