namespace Sluice.Plugins.Grpc.Codec;

/// <summary>How <see cref="MessageCodec.ProtoToJson"/> writes its output.</summary>
/// <param name="EmitDefaultValues">
/// Also write fields without presence that hold their default value (0, "", false, the zero enum,
/// empty repeated fields and maps), as Google.Protobuf's <c>JsonFormatter.Settings.WithFormatDefaultValues(true)</c>
/// does. Fields with presence (messages, oneof members, proto3 <c>optional</c>) are written only when set.
/// </param>
public sealed record ProtoJsonWriteOptions(bool EmitDefaultValues = false)
{
    public static ProtoJsonWriteOptions Default { get; } = new();
}
