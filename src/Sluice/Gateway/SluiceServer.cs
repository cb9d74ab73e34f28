namespace Sluice.Gateway;

/// <summary>
/// The running gateway: listeners, the config watch loop, the admin API. One per process.
/// </summary>
public sealed class SluiceServer : IAsyncDisposable
{
    private SluiceServer()
    {
    }

    /// <summary>Starts listening and watching; returns once the listeners are bound.</summary>
    public static Task<SluiceServer> StartAsync(GatewayOptions options, CancellationToken cancellationToken) =>
        throw new NotImplementedException();

    /// <summary>Completes when the server stops (Ctrl+C or <see cref="DisposeAsync"/>).</summary>
    public Task Completion => throw new NotImplementedException();

    public ValueTask DisposeAsync() => throw new NotImplementedException();
}
