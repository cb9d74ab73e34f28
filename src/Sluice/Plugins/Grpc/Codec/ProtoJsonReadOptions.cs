namespace Sluice.Plugins.Grpc.Codec;

/// <summary>How <see cref="MessageCodec.JsonToProto"/> treats its input.</summary>
/// <param name="IgnoreUnknownFields">
/// Skip JSON fields the message does not declare (and enum names it does not know) instead of failing
/// with a <see cref="ProtoJsonException"/> naming them.
/// </param>
public sealed record ProtoJsonReadOptions(bool IgnoreUnknownFields = false)
{
    public static ProtoJsonReadOptions Default { get; } = new();
}
