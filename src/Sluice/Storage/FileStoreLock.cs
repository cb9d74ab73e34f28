namespace Sluice.Storage;

/// <summary>
/// Cross-process exclusive lock on <c>.sluice/lock</c>, held around every read-modify-write of
/// <c>.sluice/</c> and of users' files. A gateway and a CLI may share one folder; without it two
/// of them could both bump a version from 3 to 4, or interleave two rewrites of one file.
/// </summary>
/// <remarks>
/// Opening with <see cref="FileShare.None"/> takes an OS lock (flock on Unix, a share mode on
/// Windows) that the kernel drops when the process dies, so a crashed CLI never leaves the
/// folder locked: a stale lock file is just an empty file.
/// </remarks>
internal sealed class FileStoreLock : IDisposable
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(15);

    private readonly FileStream _stream;

    private FileStoreLock(FileStream stream) => _stream = stream;

    /// <summary>
    /// Takes the lock, waiting up to <paramref name="timeout"/> for another holder. Throws
    /// <see cref="DirectoryNotFoundException"/> when the config folder is gone (locking must not
    /// recreate a folder a user deleted), and <see cref="UnauthorizedAccessException"/> or
    /// <see cref="IOException"/> when <c>.sluice</c> cannot be created (a read-only folder).
    /// </summary>
    public static async Task<FileStoreLock> AcquireAsync(string root, string stateDirectory, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var path = Path.Combine(stateDirectory, "lock");
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!Directory.Exists(root))
            {
                throw new DirectoryNotFoundException($"config folder {root} does not exist");
            }
            // Inside the loop: the whole config folder may be deleted and recreated meanwhile.
            Directory.CreateDirectory(stateDirectory);
            try
            {
                return new FileStoreLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (DirectoryNotFoundException)
            {
                // .sluice was removed between creating and opening: the next round recreates it.
            }
            catch (IOException exception) when (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException($"could not lock {path} within {timeout.TotalSeconds:0.#} s: another Sluice process holds it", exception);
            }
            catch (IOException)
            {
                // Held by another process (or another store in this one).
                await Task.Delay(RetryDelay + TimeSpan.FromMilliseconds(Random.Shared.Next(10)), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public void Dispose() => _stream.Dispose();
}
