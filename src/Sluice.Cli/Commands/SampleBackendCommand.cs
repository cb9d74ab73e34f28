using System.CommandLine;
using Sluice.Cli.SampleBackend;

namespace Sluice.Cli.Commands;

/// <summary><c>sluice sample-backend</c>: the demo service the quickstart routes to.</summary>
internal static class SampleBackendCommand
{
    public static Command Create(CliContext context)
    {
        var port = new Option<string?>("--port") { Description = "Port to listen on (0 = any free port) [default: 9090]", HelpName = "N" };
        var bind = new Option<string?>("--bind") { Description = "Address to listen on [default: 127.0.0.1]", HelpName = "ADDR" };
        var grpcPort = new Option<string?>("--grpc-port") { Description = "Also serve the sample gRPC bookstore (HTTP/2 cleartext) on this port [default: off]", HelpName = "N" };
        var command = new Command("sample-backend", "Run a tiny demo backend: GET /hello greets, anything else echoes the request as JSON")
        {
            port,
            bind,
            grpcPort,
        };
        CommandAction.Set(command, context, async (parseResult, cancellationToken) =>
        {
            var portNumber = RunOptionsBinder.ParsePort(parseResult.GetValue(port) ?? "9090", "--port");
            var address = RunOptionsBinder.ParseAddress(parseResult.GetValue(bind) ?? "127.0.0.1", "--bind");
            await using var server = await SampleBackendServer.StartAsync(address, portNumber, cancellationToken);
            context.Out.WriteLine($"sample backend listening on {server.Address} (GET /hello; anything else is echoed); Ctrl+C to stop");
            await using var bookstore = parseResult.GetValue(grpcPort) is { } grpcText
                ? await SampleBookstore.StartAsync(address, RunOptionsBinder.ParsePort(grpcText, "--grpc-port"), cancellationToken)
                : null;
            if (bookstore is not null)
            {
                context.Out.WriteLine($"sample gRPC bookstore (bookstore.Bookstore) listening on {bookstore.Urls.First()} (HTTP/2 cleartext)");
            }
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
            }
            return ExitCodes.Success;
        });
        return command;
    }
}
