using System.CommandLine;
using Sluice.Api;
using Sluice.Storage;
using Sluice.Translation;

namespace Sluice.Cli.Commands;

/// <summary>
/// <c>sluice validate DIR</c>: loads a config folder and translates it offline, printing every
/// verdict and load error. Exit code 1 when anything is rejected or fails to load, for CI.
/// Writes nothing and starts no watcher.
/// </summary>
internal static class ValidateCommand
{
    public static Command Create(CliContext context)
    {
        var directory = new Argument<string>("dir") { Description = "The config folder to check", HelpName = "DIR" };
        var command = new Command("validate", "Check a config folder offline; exit code 1 when anything is rejected") { directory };
        CommandAction.Set(command, context, async (parseResult, cancellationToken) =>
        {
            var dir = parseResult.GetRequiredValue(directory);
            if (!Directory.Exists(dir))
            {
                throw new CliException(File.Exists(dir)
                    ? $"{dir}: is a file; validate takes a config folder"
                    : $"{dir}: no such directory");
            }
            var snapshot = await Stores.LoadReadOnlyAsync(dir, cancellationToken);
            var reports = OfflineTranslation.Judge(snapshot);
            return Report(context, snapshot, reports);
        });
        return command;
    }

    internal static int Report(CliContext context, ConfigSnapshot snapshot, IReadOnlyList<ObjectReport> reports)
    {
        var ordered = reports
            .OrderBy(r => r.Kind)
            .ThenBy(r => r.Name, StringComparer.Ordinal)
            .Select(r => (Reference: KindArgument.Reference(r.Kind, r.Name), r.Status))
            .ToList();
        var width = ordered.Count == 0 ? 0 : ordered.Max(r => r.Reference.Length);
        foreach (var (reference, status) in ordered)
        {
            var line = $"{reference.PadRight(width)}  {status.State}";
            context.Out.WriteLine(string.IsNullOrEmpty(status.Reason) ? line : $"{line}: {status.Reason}");
        }
        foreach (var error in snapshot.LoadErrors)
        {
            context.Out.WriteLine($"load error: {error}");
        }
        foreach (var warning in snapshot.Warnings)
        {
            context.Out.WriteLine($"warning: {warning}");
        }

        var rejected = ordered.Count(r => r.Status.State == StatusState.Rejected);
        var warnings = ordered.Count(r => r.Status.State == StatusState.Warning);
        context.Out.WriteLine(
            $"{ordered.Count} object(s): {ordered.Count - rejected - warnings} accepted, {warnings} with warnings, " +
            $"{rejected} rejected; {snapshot.LoadErrors.Count} load error(s)");
        return rejected == 0 && snapshot.LoadErrors.Count == 0 ? ExitCodes.Success : ExitCodes.Failure;
    }
}
