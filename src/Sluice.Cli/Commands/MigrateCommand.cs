using System.CommandLine;
using Sluice.Api;
using Sluice.Etcd;
using Sluice.Storage;

namespace Sluice.Cli.Commands;

/// <summary>
/// <c>sluice migrate --from file:DIR --to etcd[:URL,…]</c> (or the other way): copies every
/// object, secret and file from one store to the other. Objects are created or updated in the
/// target; statuses are not copied (the target's controller judges them anew). Nothing is
/// copied when the source has objects that do not load, so a migration never drops one silently.
/// The etcd side takes its TLS, credentials and prefix from the <c>--etcd-*</c> flags.
/// </summary>
internal static class MigrateCommand
{
    public static Command Create(CliContext context)
    {
        var from = new Option<string>("--from") { Description = "Source: file:DIR or etcd[:URL,…]", HelpName = "STORE", Required = true };
        var to = new Option<string>("--to") { Description = "Target: file:DIR or etcd[:URL,…]", HelpName = "STORE", Required = true };
        var etcd = new StoreFlags();
        var command = new Command("migrate", "Copy a whole configuration (objects, secrets, files) between the file store and etcd") { from, to };
        foreach (var option in etcd.All.Where(o => o != etcd.ConfigDir && o != etcd.Store))
        {
            command.Add(option);
        }
        CommandAction.Set(command, context, async (parseResult, cancellationToken) =>
        {
            using var source = Open(parseResult.GetRequiredValue(from), "--from", etcd, parseResult, context, mustExist: true);
            using var target = Open(parseResult.GetRequiredValue(to), "--to", etcd, parseResult, context, mustExist: false);
            var snapshot = await source.Store.LoadAsync(cancellationToken);
            if (snapshot.LoadErrors.Count > 0)
            {
                foreach (var error in snapshot.LoadErrors)
                {
                    context.Error($"not loaded: {error}");
                }
                throw new CliException($"{source.Name}: {snapshot.LoadErrors.Count} load error(s); fix them first, nothing was copied");
            }
            var secrets = await source.ReadRawAsync(EtcdKeyClass.Secret, cancellationToken);
            var files = await source.ReadRawAsync(EtcdKeyClass.File, cancellationToken);

            var existing = await target.Store.LoadAsync(cancellationToken);
            var present = existing.Upstreams.Cast<IConfigObject>().Concat(existing.VirtualServices).Select(o => (o.Kind, o.Name)).ToHashSet();
            using var progress = Output.Progress.Start(context, "migrating", snapshot.Upstreams.Count + snapshot.VirtualServices.Count + secrets.Count + files.Count);
            foreach (var obj in snapshot.Upstreams.Cast<IConfigObject>().Concat(snapshot.VirtualServices))
            {
                progress.Advance();
                var copy = Unversioned(obj);
                if (present.Contains((obj.Kind, obj.Name)))
                {
                    await target.Store.UpdateAsync(copy, cancellationToken);
                }
                else
                {
                    await target.Store.CreateAsync(copy, cancellationToken);
                }
            }
            foreach (var (reference, bytes) in secrets)
            {
                progress.Advance();
                await target.WriteRawAsync(EtcdKeyClass.Secret, reference, bytes, cancellationToken);
            }
            foreach (var (reference, bytes) in files)
            {
                progress.Advance();
                await target.WriteRawAsync(EtcdKeyClass.File, reference, bytes, cancellationToken);
            }
            progress.Dispose();
            context.Out.WriteLine(
                $"migrated {snapshot.Upstreams.Count} upstream(s), {snapshot.VirtualServices.Count} virtual service(s), {secrets.Count} secret(s), {files.Count} file(s) from {source.Name} to {target.Name}");
            return ExitCodes.Success;
        });
        return command;
    }

    private static IConfigObject Unversioned(IConfigObject obj) => obj switch
    {
        Upstream u => u with { Status = null, Metadata = u.Metadata with { ResourceVersion = null } },
        VirtualService v => v with { Status = null, Metadata = v.Metadata with { ResourceVersion = null } },
        _ => obj,
    };

    private static Endpoint Open(string text, string flag, StoreFlags etcd, ParseResult parseResult, CliContext context, bool mustExist)
    {
        if (text.StartsWith("file:", StringComparison.Ordinal) && text.Length > "file:".Length)
        {
            var dir = text["file:".Length..];
            if (mustExist && !Directory.Exists(dir))
            {
                throw new CliException($"{flag}: config directory '{dir}' does not exist");
            }
            Directory.CreateDirectory(dir);
            return new FolderEndpoint(dir);
        }
        if (text == "etcd" || text.StartsWith("etcd:", StringComparison.Ordinal))
        {
            var options = etcd.EtcdOptions(parseResult, context, endpoints: text.Length > "etcd:".Length ? text["etcd:".Length..] : null);
            return new EtcdEndpoint(new EtcdStore(options), options.Describe());
        }
        throw new CliException($"{flag}: '{text}' is not a store (file:DIR, etcd or etcd:URL,…)");
    }

    /// <summary>One side of a migration: its store, plus raw secrets and files, which the store contract does not carry as bytes.</summary>
    private abstract class Endpoint(IConfigStore store, string name) : IDisposable
    {
        public IConfigStore Store { get; } = store;

        public string Name { get; } = name;

        public abstract Task<IReadOnlyDictionary<string, byte[]>> ReadRawAsync(EtcdKeyClass keyClass, CancellationToken cancellationToken);

        public abstract Task WriteRawAsync(EtcdKeyClass keyClass, string reference, byte[] bytes, CancellationToken cancellationToken);

        public virtual void Dispose()
        {
        }
    }

    private sealed class FolderEndpoint(string dir) : Endpoint(new FileStore(dir), dir)
    {
        public override Task<IReadOnlyDictionary<string, byte[]>> ReadRawAsync(EtcdKeyClass keyClass, CancellationToken cancellationToken)
        {
            var section = Section(keyClass);
            IReadOnlyDictionary<string, byte[]> raw = new ConfigFolder(Path.GetFullPath(Name)).ReadAll()
                .Where(f => f.Section == section && f.Error is null)
                .ToDictionary(f => f.Name, f => f.Bytes, StringComparer.Ordinal);
            return Task.FromResult(raw);
        }

        public override async Task WriteRawAsync(EtcdKeyClass keyClass, string reference, byte[] bytes, CancellationToken cancellationToken)
        {
            // The folder holds secrets and files flat, named by their ref.
            if (reference.Contains('/', StringComparison.Ordinal) || FileNames.IsIgnored(reference))
            {
                throw new CliException($"{Section(keyClass)} '{reference}' cannot be a file name in {Name}/{Section(keyClass)}/ (rename it in etcd first)");
            }
            var folder = Directory.CreateDirectory(Path.Combine(Name, Section(keyClass)));
            await File.WriteAllBytesAsync(Path.Combine(folder.FullName, reference), bytes, cancellationToken);
        }

        private static string Section(EtcdKeyClass keyClass) => keyClass == EtcdKeyClass.Secret ? ConfigFolder.Secrets : ConfigFolder.Files;
    }

    private sealed class EtcdEndpoint(EtcdStore store, string name) : Endpoint(store, name)
    {
        private EtcdStore Etcd => (EtcdStore)Store;

        public override Task<IReadOnlyDictionary<string, byte[]>> ReadRawAsync(EtcdKeyClass keyClass, CancellationToken cancellationToken) =>
            Etcd.ReadRawAsync(keyClass, cancellationToken);

        public override Task WriteRawAsync(EtcdKeyClass keyClass, string reference, byte[] bytes, CancellationToken cancellationToken) =>
            Etcd.PutRawAsync(keyClass, reference, bytes, cancellationToken);

        public override void Dispose() => Etcd.Dispose();
    }
}
