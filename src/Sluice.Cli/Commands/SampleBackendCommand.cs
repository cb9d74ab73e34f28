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
        var command = new Command("sample-backend", "Run a tiny demo backend: GET /hello greets, anything else echoes the request as JSON")
        {
            port,
            bind,
        };
        CommandAction.Set(command, context, async (parseResult, cancellationToken) =>
        {
            var portNumber = RunOptionsBinder.ParsePort(parseResult.GetValue(port) ?? "9090", "--port");
            var address = RunOptionsBinder.ParseAddress(parseResult.GetValue(bind) ?? "127.0.0.1", "--bind");
            await using var server = await SampleBackendServer.StartAsync(address, portNumber, cancellationToken);
            context.Out.WriteLine($"sample backend listening on {server.Address} (GET /hello; anything else is echoed); Ctrl+C to stop");
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
