namespace Sluice.Plugins.Grpc;

/// <summary>
/// Percent-decoding of path variable values (UTF-8). A multi-segment variable keeps <c>%2F</c>
/// encoded, as google.api.http says, so a '/' inside one segment stays distinguishable from
/// the separators between segments.
/// </summary>
internal static class PercentDecoding
{
    public static string Decode(ReadOnlySpan<char> text, bool keepSlashes)
    {
        if (!keepSlashes)
        {
            return Uri.UnescapeDataString(text);
        }
        var builder = new System.Text.StringBuilder(text.Length);
        var start = 0;
        for (var i = 0; i + 2 < text.Length; i++)
        {
            if (text[i] == '%' && text[i + 1] == '2' && (text[i + 2] is 'F' or 'f'))
            {
                builder.Append(Uri.UnescapeDataString(text[start..i])).Append(text.Slice(i, 3));
                start = i + 3;
                i += 2;
            }
        }
        return builder.Append(Uri.UnescapeDataString(text[start..])).ToString();
    }
}
