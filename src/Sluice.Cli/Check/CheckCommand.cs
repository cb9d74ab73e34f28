using System.CommandLine;
using System.Text.Json.Nodes;
using Sluice.Cli.Admin;
using Sluice.Cli.Commands;
using Sluice.Storage;

namespace Sluice.Cli.Check;

/// <summary>
/// <c>sluice check</c>: asks the store and the running gateway (admin API) and lists every problem
/// found, not the first (glooctl check stopped at the first, §11.12): objects Rejected or with
/// warnings, routes to upstreams or functions that do not exist, unhealthy or ejected endpoints,
/// discovery failures, certificates expiring within 30 days, and a store or admin API that cannot
/// be reached. "No problems detected." and exit 0, or the list and exit 1.
/// </summary>
internal static class CheckCommand
{
    public static Command Create(CliContext context)
    {
        var storeFlags = new StoreFlags();
        var admin = new AdminFlags();
        var offline = new Option<bool>("--offline") { Description = "Check the store only, without a running gateway (verdicts judged offline, as validate does)" };
        var days = new Option<int>("--expiry-days") { Description = "Report certificates that expire within this many days", DefaultValueFactory = _ => 30, HelpName = "DAYS" };
        var command = new Command("check", "Report every problem the store and the running gateway know of; exit code 1 when there is any") { offline, days, admin.Url };
        foreach (var option in storeFlags.All)
        {
            command.Add(option);
        }
        CommandAction.Set(command, context, async (parseResult, cancellationToken) =>
        {
            var problems = new List<Problem>();
            var where = storeFlags.Describe(parseResult, context);
            var snapshot = await LoadStoreAsync(storeFlags, parseResult, context, where, problems, cancellationToken);
            GatewayView? gateway = null;
            if (!parseResult.GetValue(offline))
            {
                using var client = admin.Open(parseResult, context);
                gateway = await GatewayView.ReadAsync(client, problems, cancellationToken);
            }
            var now = DateTimeOffset.UtcNow;
            Problems.Collect(snapshot, gateway, now, TimeSpan.FromDays(parseResult.GetValue(days)), problems);

            if (problems.Count == 0)
            {
                context.Out.WriteLine("No problems detected.");
                return ExitCodes.Success;
            }
            context.Out.WriteLine($"{problems.Count} problem(s) found:");
            foreach (var problem in problems)
            {
                context.Out.WriteLine($"- {problem}");
            }
            return ExitCodes.Failure;
        });
        return command;
    }

    private static async Task<ConfigSnapshot?> LoadStoreAsync(StoreFlags storeFlags, ParseResult parseResult, CliContext context, string where, List<Problem> problems, CancellationToken cancellationToken)
    {
        try
        {
            var store = storeFlags.OpenForReading(parseResult, context);
            using var disposable = store as IDisposable;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(15));
            return await store.LoadAsync(timeout.Token);
        }
        catch (CliException e)
        {
            problems.Add(new Problem("store", $"{where}: {e.Message}"));
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is not OutOfMemoryException)
        {
            // Whatever the store's client throws (gRPC, HTTP, I/O, a timeout) means the same here.
            problems.Add(new Problem("store", $"{where} could not be read: {e.GetBaseException().Message}"));
        }
        return null;
    }
}

/// <summary>One thing wrong: what it concerns (an object, an endpoint, the store) and what.</summary>
internal sealed record Problem(string Subject, string Message)
{
    public override string ToString() => $"{Subject}: {Message}";
}

/// <summary>What the admin API says: verdicts, endpoint health, discovery, readiness. Null parts were not available.</summary>
internal sealed record GatewayView(Uri Url, JsonNode? Detail, JsonArray? Upstreams, JsonArray? VirtualServices, JsonArray? Clusters, JsonNode? Discovery)
{
    public static async Task<GatewayView?> ReadAsync(AdminClient client, List<Problem> problems, CancellationToken cancellationToken)
    {
        try
        {
            var detail = await client.GetJsonAsync("/readyz/detail", cancellationToken);
            return new GatewayView(
                client.BaseUri,
                detail,
                await client.GetJsonAsync("/api/v1/upstreams", cancellationToken) as JsonArray,
                await client.GetJsonAsync("/api/v1/virtualservices", cancellationToken) as JsonArray,
                await client.GetJsonAsync("/api/v1/clusters", cancellationToken) as JsonArray,
                // 404 when discovery does not run in the gateway: then there is nothing to report.
                await client.GetJsonAsync("/api/v1/discovery", cancellationToken));
        }
        catch (AdminUnreachableException e)
        {
            problems.Add(new Problem("admin API", e.Message + " (--offline checks the store alone)"));
            return null;
        }
    }
}
