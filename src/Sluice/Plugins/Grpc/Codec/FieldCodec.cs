using System.Text.Json;
using Google.Protobuf.Reflection;

namespace Sluice.Plugins.Grpc.Codec;

/// <summary>
/// One field, compiled: its tags, names and value kind, with the message or enum codec it refers to
/// resolved. Everything a conversion asks of a field is a field read here; the descriptor is only
/// consulted when the set is compiled.
/// </summary>
internal sealed class FieldCodec
{
    public const int WireVarint = 0;
    public const int WireFixed64 = 1;
    public const int WireLengthDelimited = 2;
    public const int WireStartGroup = 3;
    public const int WireEndGroup = 4;
    public const int WireFixed32 = 5;

    public FieldCodec(FieldDescriptor descriptor, int index, int oneofIndex)
    {
        Descriptor = descriptor;
        Index = index;
        Number = descriptor.FieldNumber;
        Type = descriptor.FieldType;
        ProtoName = descriptor.Name;
        JsonName = descriptor.JsonName;
        JsonKey = JsonEncodedText.Encode(JsonName);
        IsMap = descriptor.IsMap;
        IsRepeated = descriptor.IsRepeated && !IsMap;
        WireType = WireTypeOf(Type);
        IsPackable = IsRepeated && WireType is WireVarint or WireFixed32 or WireFixed64;
        IsPacked = IsPackable && descriptor.IsPacked;
        // Repeated fields and maps have no presence; messages, oneof members and proto3 optional do.
        HasPresence = !descriptor.IsRepeated && descriptor.HasPresence;
        OneofIndex = oneofIndex;
        Tag = (uint)Number << 3 | (uint)WireType;
        DelimitedTag = (uint)Number << 3 | WireLengthDelimited;
    }

    public FieldDescriptor Descriptor { get; }

    /// <summary>Position in <see cref="MessageCodec.Fields"/>, which is in field-number order.</summary>
    public int Index { get; }

    public int Number { get; }

    public FieldType Type { get; }

    public string ProtoName { get; }

    public string JsonName { get; }

    public JsonEncodedText JsonKey { get; }

    public bool IsRepeated { get; }

    public bool IsMap { get; }

    public bool IsPackable { get; }

    /// <summary>Written packed (proto3's default for repeated numeric fields, unless <c>[packed = false]</c>).</summary>
    public bool IsPacked { get; }

    public bool HasPresence { get; }

    /// <summary>Index of the real oneof (not a proto3 optional's synthetic one) this field belongs to, or -1.</summary>
    public int OneofIndex { get; }

    /// <summary>The natural wire type of one value (never length-delimited for packable kinds).</summary>
    public int WireType { get; }

    public uint Tag { get; }

    /// <summary>The tag of a packed run of this field's values.</summary>
    public uint DelimitedTag { get; }

    /// <summary>For message fields (and maps: the entry message).</summary>
    public MessageCodec? Message { get; private set; }

    public EnumCodec? Enum { get; private set; }

    /// <summary>For map fields: the entry's key (field 1) and value (field 2).</summary>
    public FieldCodec? MapKey { get; private set; }

    public FieldCodec? MapValue { get; private set; }

    public bool IsMessage => Type == FieldType.Message;

    internal void Link(MessageCodec? message, EnumCodec? enumCodec)
    {
        Message = message;
        Enum = enumCodec;
    }

    internal void LinkMap(FieldCodec key, FieldCodec value)
    {
        MapKey = key;
        MapValue = value;
    }

    private static int WireTypeOf(FieldType type) => type switch
    {
        FieldType.Double or FieldType.Fixed64 or FieldType.SFixed64 => WireFixed64,
        FieldType.Float or FieldType.Fixed32 or FieldType.SFixed32 => WireFixed32,
        FieldType.String or FieldType.Bytes or FieldType.Message => WireLengthDelimited,
        FieldType.Group => WireStartGroup,
        _ => WireVarint,
    };
}
