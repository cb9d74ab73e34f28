using System.Text;
using Google.Protobuf;
using Sluice.Api;

namespace Sluice.Etcd;

/// <summary>
/// The key layout under the prefix (default <c>/sluice/</c>). Each kind of record has its own
/// keys, so a status write never touches an object's key and never wakes a watch on objects:
/// <code>
/// objects/upstreams/&lt;name&gt;          the object as YAML (what a file would hold), no version or status
/// objects/virtualservices/&lt;name&gt;
/// statuses/&lt;kind plural&gt;/&lt;name&gt;    {"resource_version": "N", "state": …, "reason": …}
/// secrets/&lt;ref&gt;                    a secret as a file of secrets/ holds it (a flat YAML map)
/// files/&lt;ref&gt;                      raw bytes (descriptor sets, certificates)
/// discovered/upstreams/&lt;name&gt;       what function discovery found for the upstream (DiscoveryRecordCodec JSON)
/// discovered/files/&lt;ref&gt;           artifacts those records name (gRPC descriptor sets), raw bytes
/// leader                             the controller leader's identity, on its lease
/// </code>
/// Keys this class does not know are <see cref="EtcdKeyClass.Other"/> and ignored by readers.
/// </summary>
internal sealed class EtcdKeys(string prefix)
{
    private const string Objects = "objects/";
    private const string Statuses = "statuses/";
    private const string Secrets = "secrets/";
    private const string Files = "files/";
    private const string DiscoveredRecords = "discovered/upstreams/";
    private const string DiscoveredFiles = "discovered/files/";

    public string Prefix { get; } = prefix;

    public ByteString PrefixBytes => ByteString.CopyFromUtf8(Prefix);

    /// <summary>The range end that covers every key starting with the prefix (etcd's "prefix + 1").</summary>
    public ByteString PrefixEnd => RangeEnd(Prefix);

    public string Leader => Prefix + "leader";

    public string Object(ConfigKind kind, string name) => $"{Prefix}{Objects}{kind.Plural()}/{name}";

    public string Status(ConfigKind kind, string name) => $"{Prefix}{Statuses}{kind.Plural()}/{name}";

    public string Secret(string reference) => Prefix + Secrets + reference;

    public string File(string reference) => Prefix + Files + reference;

    public string Discovered(string upstream) => Prefix + DiscoveredRecords + upstream;

    public string DiscoveredFile(string reference) => Prefix + DiscoveredFiles + reference;

    public string FolderOf(EtcdKeyClass keyClass) => Prefix + keyClass switch
    {
        EtcdKeyClass.Secret => Secrets,
        EtcdKeyClass.File => Files,
        EtcdKeyClass.Object => Objects,
        EtcdKeyClass.Status => Statuses,
        EtcdKeyClass.Discovered => DiscoveredRecords,
        EtcdKeyClass.DiscoveredFile => DiscoveredFiles,
        _ => throw new ArgumentOutOfRangeException(nameof(keyClass)),
    };

    public EtcdKey Parse(string key)
    {
        if (!key.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return default;
        }
        var rest = key.AsSpan(Prefix.Length);
        if (rest.StartsWith(Secrets) && rest.Length > Secrets.Length)
        {
            return new EtcdKey(EtcdKeyClass.Secret, default, rest[Secrets.Length..].ToString());
        }
        if (rest.StartsWith(Files) && rest.Length > Files.Length)
        {
            return new EtcdKey(EtcdKeyClass.File, default, rest[Files.Length..].ToString());
        }
        if (rest.StartsWith(DiscoveredRecords) && rest.Length > DiscoveredRecords.Length)
        {
            return new EtcdKey(EtcdKeyClass.Discovered, ConfigKind.Upstream, rest[DiscoveredRecords.Length..].ToString());
        }
        if (rest.StartsWith(DiscoveredFiles) && rest.Length > DiscoveredFiles.Length)
        {
            return new EtcdKey(EtcdKeyClass.DiscoveredFile, default, rest[DiscoveredFiles.Length..].ToString());
        }
        var keyClass = rest.StartsWith(Objects) ? EtcdKeyClass.Object : rest.StartsWith(Statuses) ? EtcdKeyClass.Status : EtcdKeyClass.Other;
        if (keyClass == EtcdKeyClass.Other)
        {
            return default;
        }
        rest = rest[(keyClass == EtcdKeyClass.Object ? Objects.Length : Statuses.Length)..];
        foreach (var kind in ConfigKinds.All)
        {
            var folder = kind.Plural();
            if (rest.StartsWith(folder) && rest.Length > folder.Length + 1 && rest[folder.Length] == '/')
            {
                return new EtcdKey(keyClass, kind, rest[(folder.Length + 1)..].ToString());
            }
        }
        return default;
    }

    /// <summary>The smallest key greater than every key starting with <paramref name="prefix"/>.</summary>
    public static ByteString RangeEnd(string prefix)
    {
        var bytes = Encoding.UTF8.GetBytes(prefix);
        for (var i = bytes.Length - 1; i >= 0; i--)
        {
            if (bytes[i] < 0xff)
            {
                bytes[i]++;
                return ByteString.CopyFrom(bytes, 0, i + 1);
            }
        }
        // All 0xff: "to the end of the key space".
        return ByteString.CopyFrom(0);
    }
}
