namespace Sluice.Storage;

/// <summary>
/// Whether this process is the one controller allowed to write (statuses, discovered data).
/// Store-neutral: etcd elects on a lease; a store that only one process writes (a folder, memory)
/// uses <see cref="SoleLeader"/>. Services that must run on one process only (the reporter,
/// discovery) gate on <see cref="IsLeader"/> and restart or stop on <see cref="Changed"/>.
/// </summary>
public interface ILeadership
{
    /// <summary>This process's name in elections (host name and process id, unless told otherwise).</summary>
    string Identity { get; }

    /// <summary>True while this process leads; false the moment it may have lost the lease.</summary>
    bool IsLeader { get; }

    /// <summary>The current leader's identity as last seen; null when nobody leads (or it is unknown).</summary>
    string? Leader { get; }

    /// <summary>Raised after <see cref="IsLeader"/> or <see cref="Leader"/> changed, on any thread.</summary>
    event Action? Changed;
}
