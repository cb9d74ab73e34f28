using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;

namespace Sluice.IntegrationTests.Infrastructure;

/// <summary>Ports the OS reports free right now (the gateway takes fixed ports, as in production).</summary>
internal static class FreePorts
{
    /// <summary>
    /// Starts something on ports from <see cref="Next"/>, again with fresh ports when one was
    /// taken in between (tests run in parallel, and a port is free only until someone binds it).
    /// </summary>
    public static async Task<T> RetryOnConflictAsync<T>(Func<Task<T>> start)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await start();
            }
            catch (IOException e) when (attempt < 5 && (e.InnerException is AddressInUseException || e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase)))
            {
            }
        }
    }

    public static int Next()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
