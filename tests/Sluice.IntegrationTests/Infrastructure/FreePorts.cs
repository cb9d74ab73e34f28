using System.Net;
using System.Net.Sockets;

namespace Sluice.IntegrationTests.Infrastructure;

/// <summary>Ports the OS reports free right now (the gateway takes fixed ports, as in production).</summary>
internal static class FreePorts
{
    public static int Next()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
