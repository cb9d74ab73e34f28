using System.Globalization;
using Etcdserverpb;
using Google.Protobuf;
using Mvccpb;
using Sluice.Storage;

namespace Sluice.Etcd;

/// <summary>
/// The etcd store's half of <see cref="IDiscoveryStore"/>: one key per upstream under
/// <c>discovered/upstreams/</c> (<see cref="DiscoveryRecordCodec"/> JSON) and its artifacts under
/// <c>discovered/files/</c>. A record's version is its key's mod revision. A write is one
/// transaction that compares that revision (and, in a campaigning process, the leader fence),
/// puts the artifacts and the record, and deletes artifacts the old record named and the new
/// one does not; so readers never see a record without its files, and a deposed leader's late
/// write fails instead of overwriting its successor's.
/// </summary>
public sealed partial class EtcdStore : IDiscoveryStore
{
    private const int DeleteAttempts = 5;

    public async Task<DiscoveryRecord?> ReadDiscoveryAsync(string upstream, CancellationToken cancellationToken)
    {
        var response = await RangeAsync(new RangeRequest { Key = Bytes(Keys.Discovered(upstream)) }, cancellationToken).ConfigureAwait(false);
        if (response.Kvs.FirstOrDefault() is not { } stored)
        {
            return null;
        }
        // The files as they were at the record's revision: the same transaction wrote them.
        var files = new Dictionary<string, ReadOnlyMemory<byte>>(StringComparer.Ordinal);
        foreach (var fileRef in FileRefs(stored))
        {
            var file = await RangeAsync(new RangeRequest { Key = Bytes(Keys.DiscoveredFile(fileRef)), Revision = response.Header.Revision }, cancellationToken).ConfigureAwait(false);
            if (file.Kvs.FirstOrDefault() is { } kv)
            {
                files[fileRef] = kv.Value.Memory;
            }
        }
        var record = DiscoveryRecordCodec.Read(stored.Value.Span, Keys.Discovered(upstream), fileRef => files.TryGetValue(fileRef, out var bytes) ? bytes : null);
        // Damaged (written by hand): nothing found; a write may replace it (its version is known).
        return (record ?? new DiscoveryRecord { Source = "" }) with { Version = Version(stored) };
    }

    public async Task<DiscoveryRecord> WriteDiscoveryAsync(string upstream, DiscoveryRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        var key = Keys.Discovered(upstream);
        var current = (await RangeAsync(new RangeRequest { Key = Bytes(key) }, cancellationToken).ConfigureAwait(false)).Kvs.FirstOrDefault();
        if (record.Version != (current is null ? null : Version(current)))
        {
            throw Stale(upstream, record.Version, current);
        }
        var request = new TxnRequest();
        request.Compare.Add(current is null
            ? new Compare { Key = Bytes(key), Target = Compare.Types.CompareTarget.Create, Result = Compare.Types.CompareResult.Equal, CreateRevision = 0 }
            : new Compare { Key = Bytes(key), Target = Compare.Types.CompareTarget.Mod, Result = Compare.Types.CompareResult.Equal, ModRevision = current.ModRevision });
        AddFence(request, $"discovery record of upstream '{upstream}'");
        foreach (var (fileRef, bytes) in record.Files)
        {
            request.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = Bytes(Keys.DiscoveredFile(fileRef)), Value = ByteString.CopyFrom(bytes.Span) } });
        }
        // The version inside the JSON is the file store's; here the mod revision is the version.
        request.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = Bytes(key), Value = ByteString.CopyFrom(DiscoveryRecordCodec.Write(upstream, record, 0)) } });
        foreach (var old in current is null ? [] : FileRefs(current).Where(f => !record.Files.ContainsKey(f)))
        {
            request.Success.Add(new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = Bytes(Keys.DiscoveredFile(old)) } });
        }
        request.Failure.Add(new RequestOp { RequestRange = new RangeRequest { Key = Bytes(key), KeysOnly = true } });
        var response = await TxnAsync(request, cancellationToken).ConfigureAwait(false);
        if (!response.Succeeded)
        {
            throw Refused(upstream, record.Version, response);
        }
        return record with { Version = response.Header.Revision.ToString(CultureInfo.InvariantCulture) };
    }

    public async Task DeleteDiscoveryAsync(string upstream, CancellationToken cancellationToken)
    {
        var key = Keys.Discovered(upstream);
        for (var attempt = 1; ; attempt++)
        {
            var current = (await RangeAsync(new RangeRequest { Key = Bytes(key) }, cancellationToken).ConfigureAwait(false)).Kvs.FirstOrDefault();
            if (current is null)
            {
                return;
            }
            var request = new TxnRequest();
            request.Compare.Add(new Compare { Key = Bytes(key), Target = Compare.Types.CompareTarget.Mod, Result = Compare.Types.CompareResult.Equal, ModRevision = current.ModRevision });
            AddFence(request, $"discovery record of upstream '{upstream}'");
            request.Success.Add(new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = Bytes(key) } });
            foreach (var fileRef in FileRefs(current))
            {
                request.Success.Add(new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = Bytes(Keys.DiscoveredFile(fileRef)) } });
            }
            request.Failure.Add(new RequestOp { RequestRange = new RangeRequest { Key = Bytes(key), KeysOnly = true } });
            var response = await TxnAsync(request, cancellationToken).ConfigureAwait(false);
            if (response.Succeeded)
            {
                return;
            }
            if (!Moved(Version(current), response) || attempt == DeleteAttempts)
            {
                throw Refused(upstream, Version(current), response);
            }
            // Rewritten meanwhile: delete what is there now (its files may differ).
        }
    }

    /// <summary>
    /// In a process that campaigns, a write must also find the leader key this process created:
    /// a controller that is not (or no longer) the leader writes nothing.
    /// </summary>
    private void AddFence(TxnRequest request, string what)
    {
        if (!LeadersOnly)
        {
            return;
        }
        var fence = Fence ?? throw new StoreConflictException($"{what}: not written, this process does not lead the controllers");
        request.Compare.Add(new Compare { Key = Bytes(Keys.Leader), Target = Compare.Types.CompareTarget.Create, Result = Compare.Types.CompareResult.Equal, CreateRevision = fence.CreateRevision });
    }

    /// <summary>Why a fenced, compared transaction failed: the record moved, or this process lost the lead.</summary>
    private static StoreConflictException Refused(string upstream, string? version, TxnResponse response) =>
        Moved(version, response)
            ? Stale(upstream, version, response.Responses[0].ResponseRange.Kvs.FirstOrDefault())
            : new StoreConflictException($"discovery record of upstream '{upstream}': not written, this process no longer leads the controllers");

    /// <summary>True when the record is no longer at <paramref name="version"/> (the failure branch read it).</summary>
    private static bool Moved(string? version, TxnResponse response)
    {
        var now = response.Responses[0].ResponseRange.Kvs.FirstOrDefault();
        return version is null ? now is not null : now is null || Version(now) != version;
    }

    private static StoreConflictException Stale(string upstream, string? version, KeyValue? current) =>
        new($"discovery record of upstream '{upstream}': version {version ?? "none"} is stale (current is {(current is null ? "none" : Version(current))})");

    private static string Version(KeyValue kv) => kv.ModRevision.ToString(CultureInfo.InvariantCulture);

    /// <summary>The artifact refs a stored record names (none when it does not read as a record).</summary>
    private IEnumerable<string> FileRefs(KeyValue stored) =>
        DiscoveryRecordCodec.Read(stored.Value.Span, stored.Key.ToStringUtf8(), _ => ReadOnlyMemory<byte>.Empty)?.Files.Keys ?? [];
}
