using System.Text;
using System.Text.Json.Nodes;
using Etcdserverpb;
using Sluice.Api;
using Sluice.Etcd;
using Sluice.Storage;

namespace Sluice.Cli.Secrets;

/// <summary>
/// Where <c>sluice secret</c> writes: <c>secrets/&lt;name&gt;</c> in the config folder, or the
/// secret key in etcd. Reads go through the config store (<see cref="ConfigSnapshot.Secrets"/>),
/// exactly as the gateway reads them. Secrets are a flat map of strings (API.md), written as YAML.
/// </summary>
internal abstract class SecretStore
{
    public abstract Task<bool> ExistsAsync(string name, CancellationToken cancellationToken);

    public abstract Task WriteAsync(string name, IReadOnlyList<KeyValuePair<string, string>> values, CancellationToken cancellationToken);

    /// <summary>False when there was no such secret.</summary>
    public abstract Task<bool> DeleteAsync(string name, CancellationToken cancellationToken);

    public static SecretStore For(IConfigStore store) => store switch
    {
        FileStore files => new FolderSecrets(files.ConfigDirectory),
        EtcdStore etcd => new EtcdSecrets(etcd),
        _ => throw new CliException(
            "secrets in Kubernetes are Kubernetes Secrets: create them with kubectl (kubectl create secret generic NAME --from-literal=key=value -n NAMESPACE); sluice secret get lists them"),
    };

    /// <summary>The secret as it is stored: block YAML, one key per line, PEM kept as literal blocks.</summary>
    public static byte[] Encode(IReadOnlyList<KeyValuePair<string, string>> values)
    {
        var map = new JsonObject();
        foreach (var (key, value) in values)
        {
            map[key] = value;
        }
        return Encoding.UTF8.GetBytes(Api.Codec.YamlText.Write(map));
    }

    private sealed class FolderSecrets(string root) : SecretStore
    {
        private string PathOf(string name)
        {
            // The folder holds secrets flat, named by their ref (API.md "File store layout").
            if (name.Contains('/', StringComparison.Ordinal) || name.Contains('\\', StringComparison.Ordinal) || FileNames.IsIgnored(name) || name is "." or "..")
            {
                throw new CliException($"secret '{name}': not a file name the store reads (no '/', no leading '.' or trailing '~')");
            }
            return Path.Combine(root, ConfigFolder.Secrets, name);
        }

        public override Task<bool> ExistsAsync(string name, CancellationToken cancellationToken) => Task.FromResult(File.Exists(PathOf(name)));

        public override Task WriteAsync(string name, IReadOnlyList<KeyValuePair<string, string>> values, CancellationToken cancellationToken)
        {
            var path = PathOf(name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            AtomicFile.Write(path, Encode(values));
            return Task.CompletedTask;
        }

        public override Task<bool> DeleteAsync(string name, CancellationToken cancellationToken)
        {
            var path = PathOf(name);
            if (!File.Exists(path))
            {
                return Task.FromResult(false);
            }
            File.Delete(path);
            return Task.FromResult(true);
        }
    }

    private sealed class EtcdSecrets(EtcdStore etcd) : SecretStore
    {
        public override async Task<bool> ExistsAsync(string name, CancellationToken cancellationToken) =>
            (await etcd.RangeAsync(new RangeRequest { Key = EtcdStore.Bytes(etcd.Keys.Secret(name)), CountOnly = true }, cancellationToken)).Count > 0;

        public override Task WriteAsync(string name, IReadOnlyList<KeyValuePair<string, string>> values, CancellationToken cancellationToken) =>
            etcd.PutRawAsync(EtcdKeyClass.Secret, name, Encode(values), cancellationToken);

        public override async Task<bool> DeleteAsync(string name, CancellationToken cancellationToken)
        {
            var request = new TxnRequest();
            request.Success.Add(new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = EtcdStore.Bytes(etcd.Keys.Secret(name)) } });
            var response = await etcd.TxnAsync(request, cancellationToken);
            return response.Responses[0].ResponseDeleteRange.Deleted > 0;
        }
    }
}
