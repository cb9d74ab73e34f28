using System.Diagnostics;
using System.Net;
using System.Text;
using Grpc.Net.Client;
using Sluice.Cli.SampleBackend.Bookstore;

namespace Sluice.Bench;

/// <summary>
/// <c>Sluice.Bench grpc-load --target json|grpc --url URL [--connections N] [--duration S]</c>:
/// closed-loop load for bench/grpc.sh, N calls in flight. <c>json</c> POSTs <c>{"shelf": 1}</c>
/// to the gateway's route to Bookstore.GetShelf (HTTP/1.1, one connection per caller), <c>grpc</c>
/// calls GetShelf on the server directly with Grpc.Net.Client (one HTTP/2 connection, as a gRPC
/// client does). Prints one line: requests, requests/s, errors and this process's allocated bytes
/// per call (the client's cost; the gateway's is read from the gateway).
/// </summary>
internal static class GrpcLoad
{
    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        string? target = null, url = null;
        var connections = 32;
        var duration = 10.0;
        for (var i = 0; i + 1 < args.Count; i += 2)
        {
            switch (args[i])
            {
                case "--target": target = args[i + 1]; break;
                case "--url": url = args[i + 1]; break;
                case "--connections": connections = int.Parse(args[i + 1]); break;
                case "--duration": duration = double.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture); break;
                default: Console.Error.WriteLine($"unknown argument: {args[i]}"); return 2;
            }
        }
        if (target is not ("json" or "grpc") || url is null)
        {
            Console.Error.WriteLine("usage: Sluice.Bench grpc-load --target json|grpc --url URL [--connections N] [--duration S]");
            return 2;
        }

        Func<Task<bool>> call;
        IDisposable owner;
        if (target == "json")
        {
            var client = new HttpClient(new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = connections, AutomaticDecompression = DecompressionMethods.None });
            var body = Encoding.UTF8.GetBytes("""{"shelf": 1}""");
            var uri = new Uri(url);
            owner = client;
            call = async () =>
            {
                using var content = new ByteArrayContent(body);
                content.Headers.ContentType = new("application/json");
                using var response = await client.PostAsync(uri, content);
                await response.Content.ReadAsByteArrayAsync();
                return response.IsSuccessStatusCode;
            };
        }
        else
        {
            var channel = GrpcChannel.ForAddress(url, new GrpcChannelOptions { HttpHandler = new SocketsHttpHandler { UseProxy = false, EnableMultipleHttp2Connections = true } });
            var client = new Bookstore.BookstoreClient(channel);
            var request = new GetShelfRequest { Shelf = 1 };
            owner = channel;
            call = async () =>
            {
                var shelf = await client.GetShelfAsync(request);
                return shelf.Id == 1;
            };
        }

        using (owner)
        {
            long requests = 0, errors = 0;
            var stopAt = Stopwatch.GetTimestamp() + (long)(duration * Stopwatch.Frequency);
            var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
            var started = Stopwatch.GetTimestamp();
            var callers = Enumerable.Range(0, connections).Select(async _ =>
            {
                while (Stopwatch.GetTimestamp() < stopAt)
                {
                    bool ok;
                    try
                    {
                        ok = await call();
                    }
                    catch (Exception)
                    {
                        ok = false;
                    }
                    Interlocked.Increment(ref requests);
                    if (!ok)
                    {
                        Interlocked.Increment(ref errors);
                    }
                }
            }).ToArray();
            await Task.WhenAll(callers);
            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
            Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"target={target} requests={requests} seconds={seconds:0.00} rps={requests / seconds:0} errors={errors} client_bytes_per_call={allocated / Math.Max(1, requests)}"));
        }
        return 0;
    }
}
