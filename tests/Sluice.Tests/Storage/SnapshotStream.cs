using Sluice.Storage;

namespace Sluice.Tests.Storage;

/// <summary>Reads a store's watch with a timeout per snapshot, so tests wait on events, not on fixed sleeps.</summary>
internal sealed class SnapshotStream : IAsyncDisposable
{
    private readonly CancellationTokenSource _cancel = new();
    private readonly IAsyncEnumerator<ConfigSnapshot> _enumerator;
    private Task<bool>? _pending;

    public SnapshotStream(IConfigStore store) => _enumerator = store.WatchAsync(_cancel.Token).GetAsyncEnumerator();

    public CancellationTokenSource Cancellation => _cancel;

    /// <summary>The next snapshot, or null when none came within <paramref name="timeout"/>.</summary>
    public async Task<ConfigSnapshot?> NextAsync(TimeSpan timeout)
    {
        _pending ??= _enumerator.MoveNextAsync().AsTask();
        var finished = await Task.WhenAny(_pending, Task.Delay(timeout));
        if (finished != _pending)
        {
            return null;
        }
        var more = await _pending;
        _pending = null;
        return more ? _enumerator.Current : throw new InvalidOperationException("the watch ended");
    }

    /// <summary>Skips snapshots until one satisfies <paramref name="condition"/>; fails after <paramref name="timeout"/>.</summary>
    public async Task<ConfigSnapshot> WaitForAsync(Func<ConfigSnapshot, bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            var snapshot = left > TimeSpan.Zero ? await NextAsync(left) : null;
            if (snapshot is null)
            {
                throw new TimeoutException($"no matching snapshot within {timeout.TotalMilliseconds} ms");
            }
            if (condition(snapshot))
            {
                return snapshot;
            }
        }
    }

    /// <summary>Whether the enumeration ends (rather than fails or hangs) within <paramref name="timeout"/>.</summary>
    public async Task<bool> EndsWithinAsync(TimeSpan timeout)
    {
        _pending ??= _enumerator.MoveNextAsync().AsTask();
        var finished = await Task.WhenAny(_pending, Task.Delay(timeout));
        return finished == _pending && !await _pending;
    }

    public async ValueTask DisposeAsync()
    {
        await _cancel.CancelAsync();
        if (_pending is not null)
        {
            try
            {
                await _pending;
            }
            catch (OperationCanceledException)
            {
            }
        }
        await _enumerator.DisposeAsync();
        _cancel.Dispose();
    }
}
