using System.Text;
using System.Text.Json.Nodes;
using Etcdserverpb;
using Sluice.Api;
using Sluice.Etcd;
using Sluice.Kubernetes;
using Sluice.Storage;

namespace Sluice.Cli.Secrets;

/// <summary>
/// Where <c>sluice secret</c> writes: <c>secrets/&lt;name&gt;</c> in the config folder, the
/// secret key in etcd, or a Kubernetes Secret in the store's namespace. Reads go through the config store (<see cref="ConfigSnapshot.Secrets"/>),
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
        KubernetesStore cluster => new KubernetesSecrets(cluster),
        _ => throw new CliException($"secrets cannot be written to {store.GetType().Name}"),
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

    /// <summary>
    /// A Kubernetes Secret of type Opaque, its values under <c>data</c> in base64 as the API server
    /// keeps them (what the gateway's watch reads, like one made by <c>kubectl create secret generic</c>).
    /// A rewrite replaces the whole Secret on the resourceVersion read.
    /// </summary>
    private sealed class KubernetesSecrets(KubernetesStore cluster) : SecretStore
    {
        private string Collection => $"/api/v1/namespaces/{Uri.EscapeDataString(cluster.Options.Namespace)}/secrets";

        private string PathOf(string name) => $"{Collection}/{Uri.EscapeDataString(name)}";

        public override async Task<bool> ExistsAsync(string name, CancellationToken cancellationToken) =>
            await cluster.Api.GetAsync(PathOf(name), cancellationToken) is not null;

        public override async Task WriteAsync(string name, IReadOnlyList<KeyValuePair<string, string>> values, CancellationToken cancellationToken)
        {
            var data = new JsonObject();
            foreach (var (key, value) in values)
            {
                data[key] = Convert.ToBase64String(Encoding.UTF8.GetBytes(value));
            }
            var metadata = new JsonObject { ["name"] = name, ["namespace"] = cluster.Options.Namespace };
            var secret = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Secret", ["metadata"] = metadata, ["type"] = "Opaque", ["data"] = data };
            var current = await cluster.Api.GetAsync(PathOf(name), cancellationToken);
            if (current is null)
            {
                await cluster.Api.WriteAsync(HttpMethod.Post, Collection, secret, cancellationToken);
                return;
            }
            metadata["resourceVersion"] = current["metadata"]?["resourceVersion"]?.GetValue<string>();
            await cluster.Api.WriteAsync(HttpMethod.Put, PathOf(name), secret, cancellationToken);
        }

        public override async Task<bool> DeleteAsync(string name, CancellationToken cancellationToken)
        {
            if (await cluster.Api.GetAsync(PathOf(name), cancellationToken) is null)
            {
                return false;
            }
            await cluster.Api.DeleteAsync(PathOf(name), cancellationToken);
            return true;
        }
    }
}
