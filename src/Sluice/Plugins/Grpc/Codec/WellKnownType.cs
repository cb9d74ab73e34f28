namespace Sluice.Plugins.Grpc.Codec;

/// <summary>The messages whose proto3 JSON form is not an object of their fields.</summary>
internal enum WellKnownType : byte
{
    None,
    Any,
    Timestamp,
    Duration,
    FieldMask,
    Struct,
    Value,
    ListValue,
    DoubleValue,
    FloatValue,
    Int64Value,
    UInt64Value,
    Int32Value,
    UInt32Value,
    BoolValue,
    StringValue,
    BytesValue,
}
