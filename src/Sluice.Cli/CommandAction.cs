using System.CommandLine;
using Sluice.Api;
using Sluice.Storage;

namespace Sluice.Cli;

/// <summary>
/// Wraps a command's work so every error a user can cause (bad flag value, missing folder, bad
/// file, store conflict) becomes one <c>error:</c> line and exit code 1.
/// </summary>
internal static class CommandAction
{
    public static void Set(Command command, CliContext context, Func<ParseResult, CancellationToken, Task<int>> action) =>
        command.SetAction((parseResult, cancellationToken) => RunGuardedAsync(context, parseResult, action, cancellationToken));

    private static async Task<int> RunGuardedAsync(
        CliContext context,
        ParseResult parseResult,
        Func<ParseResult, CancellationToken, Task<int>> action,
        CancellationToken cancellationToken)
    {
        try
        {
            return await action(parseResult, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ExitCodes.Interrupted;
        }
        catch (Exception e) when (Describe(e) is { } message)
        {
            context.Error(message);
            return ExitCodes.Failure;
        }
    }

    /// <summary>The one-line message for an exception a user caused; null for a bug.</summary>
    internal static string? Describe(Exception e) => e switch
    {
        CliException => e.Message,
        Admin.AdminUnreachableException => e.Message,
        ConfigException config => config.Error.ToString(),
        StoreConflictException or StoreNotFoundException => e.Message,
        // Missing files, permissions, ports already in use: the runtime's message names the path or address.
        IOException or UnauthorizedAccessException => e.Message,
        // The store waited for .sluice/lock held by another process.
        TimeoutException => e.Message,
        // A store reached over HTTP (the Kubernetes API server) that does not answer.
        System.Net.Http.HttpRequestException => $"the store could not be reached: {e.Message}",
        _ => null,
    };
}
