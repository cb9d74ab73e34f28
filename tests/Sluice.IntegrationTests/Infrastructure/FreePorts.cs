using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;

namespace Sluice.IntegrationTests.Infrastructure;

/// <summary>Ports the OS reports free right now (the gateway takes fixed ports, as in production).</summary>
internal static class FreePorts
{
    // Below Linux's ephemeral range (32768-60999): a port handed out here cannot be taken by an
    // outgoing connection's local port between this check and the server's bind, which made
    // parallel tests fail with "address already in use". Never handed out twice per run.
    private const int First = 20000;
    private const int Last = 32000;
    private static readonly HashSet<int> Given = [];

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
        lock (Given)
        {
            while (true)
            {
                var port = Random.Shared.Next(First, Last);
                if (Given.Add(port) && IsFree(port))
                {
                    return port;
                }
            }
        }
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
