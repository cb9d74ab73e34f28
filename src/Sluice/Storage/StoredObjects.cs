using System.Globalization;
using System.IO.Hashing;
using System.Text;
using Sluice.Api;

namespace Sluice.Storage;

/// <summary>The store-owned fields of an object: taken off before writing or hashing, put back on reading.</summary>
internal static class StoredObjects
{
    /// <summary>The object as a user's file holds it: no version, no status, nothing discovery found.</summary>
    public static IConfigObject Strip(IConfigObject obj) => obj switch
    {
        Upstream upstream => upstream with
        {
            Status = null,
            Metadata = upstream.Metadata with { ResourceVersion = null },
            Functions = upstream.Functions.Any(f => f.Discovered is not null) ? new(upstream.Functions.Where(f => f.Discovered is null)) : upstream.Functions,
            ServiceInfo = upstream.ServiceInfo?.Discovered is null ? upstream.ServiceInfo : null,
        },
        VirtualService service => service with { Status = null, Metadata = service.Metadata with { ResourceVersion = null } },
        _ => throw new ArgumentException($"unknown object type {obj.GetType().Name}", nameof(obj)),
    };

    public static IConfigObject WithState(IConfigObject obj, long resourceVersion, Status? status)
    {
        var version = resourceVersion.ToString(CultureInfo.InvariantCulture);
        var shown = status ?? Status.Pending;
        return obj switch
        {
            Upstream upstream => upstream with { Status = shown, Metadata = upstream.Metadata with { ResourceVersion = version } },
            VirtualService service => service with { Status = shown, Metadata = service.Metadata with { ResourceVersion = version } },
            _ => throw new ArgumentException($"unknown object type {obj.GetType().Name}", nameof(obj)),
        };
    }

    /// <summary>
    /// Hash of what the object means, not how it is written: comments, key order and a version a
    /// user copied into the file do not count, so only a real change bumps the version.
    /// </summary>
    public static string ContentHash(IConfigObject obj)
    {
        var canonical = ConfigCodec.ToYaml(Strip(obj));
        return Convert.ToHexStringLower(XxHash128.Hash(Encoding.UTF8.GetBytes(canonical)));
    }
}
