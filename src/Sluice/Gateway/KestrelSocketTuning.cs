using System.Globalization;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;

namespace Sluice.Gateway;

/// <summary>
/// Kestrel's socket-transport knobs for the traffic listeners, read from the environment so
/// <c>bench/runtime.sh</c> can A/B them against the shipped defaults (Kestrel's own) without a
/// rebuild: <c>SLUICE_KESTREL_INLINE_SCHEDULING=1</c> runs request code on the socket's I/O
/// thread (<see cref="SocketTransportOptions.UnsafePreferInlineScheduling"/>), and
/// <c>SLUICE_KESTREL_IO_QUEUES=N</c> sets <see cref="SocketTransportOptions.IOQueueCount"/>
/// (0: straight to the thread pool). Unset, nothing changes.
/// </summary>
internal static class KestrelSocketTuning
{
    public static void Apply(SocketTransportOptions options)
    {
        if (Environment.GetEnvironmentVariable("SLUICE_KESTREL_INLINE_SCHEDULING") is "1" or "true")
        {
            options.UnsafePreferInlineScheduling = true;
        }
        if (int.TryParse(Environment.GetEnvironmentVariable("SLUICE_KESTREL_IO_QUEUES"), NumberStyles.None, CultureInfo.InvariantCulture, out var queues))
        {
            options.IOQueueCount = queues;
        }
    }
}
