namespace Sluice.Bench;

/// <summary>
/// <c>Sluice.Bench translate DIR [--iterations N]</c>: loads a config folder with the file store
/// and times the translator alone, without sockets, Kestrel or YARP.
/// <c>Sluice.Bench run …</c>: the gateway library hosted directly (see <see cref="GatewayHost"/>).
/// <c>Sluice.Bench grpc-load …</c>: the load of bench/grpc.sh (see <see cref="GrpcLoad"/>).
/// </summary>
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        if (args.Length >= 1 && args[0] == "run")
        {
            return await GatewayHost.RunAsync(args[1..]);
        }
        if (args.Length >= 1 && args[0] == "grpc-load")
        {
            return await GrpcLoad.RunAsync(args[1..]);
        }

        if (args.Length < 2 || args[0] != "translate")
        {
            Console.Error.WriteLine("usage: Sluice.Bench translate CONFIG_DIR [--iterations N] | Sluice.Bench run --config-dir DIR …");
            return 2;
        }

        var iterations = 10;
        for (var i = 2; i < args.Length; i++)
        {
            if (args[i] == "--iterations" && i + 1 < args.Length && int.TryParse(args[i + 1], out var n) && n > 0)
            {
                iterations = n;
                i++;
            }
            else
            {
                Console.Error.WriteLine($"unknown argument: {args[i]}");
                return 2;
            }
        }

        if (!Directory.Exists(args[1]))
        {
            Console.Error.WriteLine($"no such directory: {args[1]}");
            return 2;
        }

        return await TranslateBenchmark.RunAsync(args[1], iterations);
    }
}
