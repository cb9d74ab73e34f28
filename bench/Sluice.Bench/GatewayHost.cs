using System.Net;
using System.Runtime.InteropServices;
using Sluice.Gateway;
using Sluice.Hosting;
using Sluice.Storage;

namespace Sluice.Bench;

/// <summary>
/// <c>Sluice.Bench run</c>: the gateway library on the file store, with the flags bench/*.sh pass
/// to <c>sluice run</c> (<c>--config-dir --http-port --admin-port --http2-port --https-port --bind</c>).
/// A stand-in for the CLI when it does not build or run yet (<c>SLUICE_HOST=bench</c>), and a
/// way to tell the library's cost from the CLI's. No logging provider: nothing on the hot path.
/// </summary>
internal static class GatewayHost
{
    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        var options = new GatewayOptions();
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] is "--help" or "-h")
            {
                Console.WriteLine(UsageText);
                return 0;
            }
            var value = i + 1 < args.Count ? args[i + 1] : null;
            if (value is null)
            {
                return Usage($"missing value for {args[i]}");
            }
            switch (args[i])
            {
                case "--config-dir": options = options with { ConfigDir = value }; break;
                case "--http-port": options = options with { HttpPort = int.Parse(value) }; break;
                case "--admin-port": options = options with { AdminPort = int.Parse(value) }; break;
                case "--http2-port": options = options with { Http2Port = int.Parse(value) }; break;
                case "--https-port": options = options with { HttpsPort = int.Parse(value) }; break;
                case "--bind": options = options with { Bind = IPAddress.Parse(value) }; break;
                default: return Usage($"unknown argument: {args[i]}");
            }
            i++;
        }
        if (!Directory.Exists(options.ConfigDir))
        {
            return Usage($"no such directory: {options.ConfigDir}");
        }

        using var stop = new CancellationTokenSource();
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        // bench/grpc.sh reads the gateway's allocations around a measured window: SIGHUP prints them.
        using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true;
            Console.WriteLine($"allocated-bytes {GC.GetTotalAllocatedBytes(precise: true)}");
        });

        await using var server = await SluiceServer.StartAsync(options, new FileStore(options.ConfigDir), SluicePlugins.Default, logging: null, cancellationToken: stop.Token);
        Console.WriteLine($"Sluice.Bench: gateway on {options.Bind}:{options.HttpPort}, admin on {options.AdminBind}:{options.AdminPort}, config {options.ConfigDir}");
        try
        {
            await server.Completion.WaitAsync(stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        return 0;

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }
    }

    private static int Usage(string error)
    {
        Console.Error.WriteLine(error);
        Console.Error.WriteLine(UsageText);
        return 2;
    }

    private const string UsageText =
        "usage: Sluice.Bench run --config-dir DIR --http-port N --admin-port N [--http2-port N] [--https-port N] [--bind ADDR]";
}
