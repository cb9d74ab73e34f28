using Sluice.Storage;

namespace Sluice.Tests.Storage;

public sealed class FileStoreLockTests : IDisposable
{
    private readonly TempConfigDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string StateDirectory => _dir.PathOf(".sluice");

    [Fact]
    public async Task A_second_holder_waits_until_the_first_releases()
    {
        var first = await FileStoreLock.AcquireAsync(_dir.Path, StateDirectory, TimeSpan.FromSeconds(1), CancellationToken.None);

        await Assert.ThrowsAsync<TimeoutException>(() =>
            FileStoreLock.AcquireAsync(_dir.Path, StateDirectory, TimeSpan.FromMilliseconds(100), CancellationToken.None));
        var waiting = FileStoreLock.AcquireAsync(_dir.Path, StateDirectory, TimeSpan.FromSeconds(5), CancellationToken.None);
        Assert.False(waiting.IsCompleted);
        first.Dispose();
        using var second = await waiting.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Locking_never_recreates_a_deleted_config_folder()
    {
        var gone = _dir.PathOf("gone");

        await Assert.ThrowsAsync<DirectoryNotFoundException>(() =>
            FileStoreLock.AcquireAsync(gone, Path.Combine(gone, ".sluice"), TimeSpan.FromSeconds(1), CancellationToken.None));

        Assert.False(Directory.Exists(gone));
    }
}
