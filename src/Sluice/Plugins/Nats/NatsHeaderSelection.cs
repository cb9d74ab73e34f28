using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using NATS.Client.Core;
using Sluice.Api;

namespace Sluice.Plugins.Nats;

/// <summary>
/// Which request headers travel as NATS headers: exact names, or prefixes written <c>ce-*</c>.
/// NATS.Net writes them as the message's header block (<c>NATS/1.0</c>, one <c>Name: value</c> line each).
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
    /// The NATS headers for a request: <paramref name="extra"/> headers first (e.g. CloudEvent
    /// attributes the route adds), then the selected request headers; null when there is none.
    /// The length is the header block's size on the wire, which counts against max_payload.
    /// </summary>
    public (NatsHeaders? Headers, int Length) Select(IHeaderDictionary headers, IReadOnlyList<KeyValuePair<string, string>>? extra)
    {
        NatsHeaders? selected = null;
        var length = 0;
        if (extra is not null)
        {
            foreach (var (name, value) in extra)
            {
                Add(ref selected, ref length, name, value);
            }
        }
        foreach (var name in _exact)
        {
            if (headers.TryGetValue(name, out var values))
            {
                foreach (var value in values)
                {
                    Add(ref selected, ref length, name, value);
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
                    Add(ref selected, ref length, name, value);
                }
            }
        }
        // "NATS/1.0\r\n" before the lines, "\r\n" after them.
        return selected is null ? (null, 0) : (selected, length + 12);
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

    private static void Add(ref NatsHeaders? headers, ref int length, string name, string? value)
    {
        headers ??= [];
        // A CR or LF would end the header early; HTTP already forbids them, this keeps it so.
        var clean = (value ?? "").Replace('\r', ' ').Replace('\n', ' ');
        headers[name] = headers.TryGetValue(name, out var existing) ? StringValues.Concat(existing, clean) : new StringValues(clean);
        length += Encoding.UTF8.GetByteCount(name) + Encoding.UTF8.GetByteCount(clean) + 4;
    }
}
