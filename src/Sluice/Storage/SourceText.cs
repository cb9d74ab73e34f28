using System.Text;

namespace Sluice.Storage;

/// <summary>Bytes to text and back without changing a byte the store did not mean to change.</summary>
internal static class SourceText
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    public static string Decode(byte[] bytes) => Decode(bytes, out _);

    public static string Decode(byte[] bytes, out bool byteOrderMark)
    {
        byteOrderMark = bytes.AsSpan().StartsWith(Utf8Bom);
        return Utf8.GetString(byteOrderMark ? bytes.AsSpan(Utf8Bom.Length) : bytes);
    }

    public static byte[] Encode(string text, bool byteOrderMark)
    {
        var body = Utf8.GetBytes(text);
        return byteOrderMark ? [.. Utf8Bom, .. body] : body;
    }

    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];
}
