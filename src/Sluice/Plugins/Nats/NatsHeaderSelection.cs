using System.Buffers;
using System.Text;
using Microsoft.AspNetCore.Http;
using Sluice.Api;

namespace Sluice.Plugins.Nats;

/// <summary>
/// Which request headers travel as NATS headers: exact names, or prefixes written <c>ce-*</c>.
/// Encodes them as a NATS header block (<c>NATS/1.0</c>, one <c>Name: value</c> line each).
/// </summary>
internal sealed class NatsHeaderSelection
{
    private readonly string[] _exact;
    private readonly string[] _prefixes;

    public NatsHeaderSelection(ValueList<string> names)
    {
        _exact = names.Where(n => !n.EndsWith('*')).ToArray();
        _prefixes = names.Where(n => n.EndsWith('*')).Select(n => n[..^1]).ToArray();
    }

    public bool IsEmpty => _exact.Length == 0 && _prefixes.Length == 0;

    /// <summary>
    /// Writes the header block into <paramref name="output"/>: <paramref name="extra"/> headers
    /// first (e.g. CloudEvent attributes the route adds), then the selected request headers;
    /// nothing when there is no header at all.
    /// </summary>
    public void Encode(IHeaderDictionary headers, IReadOnlyList<KeyValuePair<string, string>>? extra, ArrayBufferWriter<byte> output)
    {
        var any = false;
        if (extra is not null)
        {
            foreach (var (name, value) in extra)
            {
                WriteLine(output, ref any, name, value);
            }
        }
        foreach (var name in _exact)
        {
            if (headers.TryGetValue(name, out var values))
            {
                foreach (var value in values)
                {
                    WriteLine(output, ref any, name, value);
                }
            }
        }
        if (_prefixes.Length > 0)
        {
            foreach (var (name, values) in headers)
            {
                if (!HasPrefix(name))
                {
                    continue;
                }
                foreach (var value in values)
                {
                    WriteLine(output, ref any, name, value);
                }
            }
        }
        if (any)
        {
            output.Write("\r\n"u8);
        }
    }

    private bool HasPrefix(string name)
    {
        foreach (var prefix in _prefixes)
        {
            if (name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }

    private static void WriteLine(ArrayBufferWriter<byte> output, ref bool any, string name, string? value)
    {
        if (!any)
        {
            output.Write("NATS/1.0\r\n"u8);
            any = true;
        }
        Write(output, name);
        output.Write(": "u8);
        // A CR or LF would end the header early; HTTP already forbids them, this keeps it so.
        Write(output, (value ?? "").Replace('\r', ' ').Replace('\n', ' '));
        output.Write("\r\n"u8);
    }

    private static void Write(ArrayBufferWriter<byte> output, string text)
    {
        var span = output.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        output.Advance(Encoding.UTF8.GetBytes(text, span));
    }
}
