using System.CommandLine;
using System.CommandLine.Completions;
using Sluice.Api;

namespace Sluice.Cli.Commands;

/// <summary>
/// Shell completion of object names (<c>sluice get us &lt;TAB&gt;</c>): the names in the store the
/// command line points at, read read-only. Completion must never fail loudly, so any error
/// (no folder, store down) completes nothing.
/// </summary>
internal static class ObjectNameCompletion
{
    public static Func<CompletionContext, IEnumerable<CompletionItem>> For(StoreFlags storeFlags, CliContext context, Func<ParseResult, ConfigKind> kind) =>
        completion =>
        {
            try
            {
                var store = storeFlags.OpenForReading(completion.ParseResult, context);
                using var disposable = store as IDisposable;
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
                var snapshot = store.LoadAsync(timeout.Token).GetAwaiter().GetResult();
                var objectKind = kind(completion.ParseResult);
                IEnumerable<string> names = objectKind == ConfigKind.Upstream
                    ? snapshot.Upstreams.Select(u => u.Name)
                    : snapshot.VirtualServices.Select(v => v.Name);
                names = names.Concat(snapshot.LoadErrors.Where(e => e.Kind == objectKind && e.ObjectName is not null).Select(e => e.ObjectName!));
                return names.Distinct().Where(n => n.StartsWith(completion.WordToComplete, StringComparison.Ordinal)).Order(StringComparer.Ordinal).Select(n => new CompletionItem(n));
            }
            catch (Exception)
            {
                return [];
            }
        };

    /// <summary>Secret names for <c>secret get|delete</c>.</summary>
    public static Func<CompletionContext, IEnumerable<CompletionItem>> Secrets(StoreFlags storeFlags, CliContext context) =>
        completion =>
        {
            try
            {
                var store = storeFlags.OpenForReading(completion.ParseResult, context);
                using var disposable = store as IDisposable;
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
                var snapshot = store.LoadAsync(timeout.Token).GetAwaiter().GetResult();
                return snapshot.Secrets.Keys.Concat(snapshot.SecretErrors.Keys).Distinct()
                    .Where(n => n.StartsWith(completion.WordToComplete, StringComparison.Ordinal)).Order(StringComparer.Ordinal).Select(n => new CompletionItem(n));
            }
            catch (Exception)
            {
                return [];
            }
        };
}
