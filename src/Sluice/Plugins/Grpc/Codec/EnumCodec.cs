using System.Collections.Frozen;
using System.Text;
using System.Text.Json;
using Google.Protobuf.Reflection;

namespace Sluice.Plugins.Grpc.Codec;

/// <summary>An enum's names and numbers, looked up both ways without allocating.</summary>
internal sealed class EnumCodec
{
    private readonly FrozenDictionary<int, JsonEncodedText> _names;
    private readonly FrozenDictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _numbers;
    private readonly int _longestName;

    public EnumCodec(EnumDescriptor descriptor)
    {
        FullName = descriptor.FullName;
        IsNullValue = FullName == "google.protobuf.NullValue";
        var names = new Dictionary<int, JsonEncodedText>();
        var numbers = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var value in descriptor.Values)
        {
            // With allow_alias the first name declared for a number is the one written.
            names.TryAdd(value.Number, JsonEncodedText.Encode(value.Name));
            numbers.TryAdd(value.Name, value.Number);
            _longestName = Math.Max(_longestName, value.Name.Length);
        }
        _names = names.ToFrozenDictionary();
        _numbers = numbers.ToFrozenDictionary(StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public string FullName { get; }

    /// <summary>google.protobuf.NullValue is written as JSON <c>null</c> and read from it.</summary>
    public bool IsNullValue { get; }

    public bool TryGetName(int number, out JsonEncodedText name) => _names.TryGetValue(number, out name);

    public bool TryGetNumber(ReadOnlySpan<byte> utf8Name, out int number)
    {
        number = 0;
        if (utf8Name.Length > _longestName * 3 || utf8Name.Length == 0)
        {
            return false;
        }
        Span<char> chars = stackalloc char[utf8Name.Length];
        if (!Encoding.UTF8.TryGetChars(utf8Name, chars, out var written))
        {
            return false;
        }
        return _numbers.TryGetValue(chars[..written], out number);
    }
}
