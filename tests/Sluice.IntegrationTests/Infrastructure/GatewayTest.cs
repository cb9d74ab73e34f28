namespace Sluice.IntegrationTests.Infrastructure;

/// <summary>
/// A test class with its own gateway and one echo backend, both fresh for every test (xunit
/// creates the class per test). Override <see cref="InitializeAsync"/> to apply configuration.
/// </summary>
public abstract class GatewayTest : IAsyncLifetime
{
    internal TestBackend Backend { get; private set; } = null!;

    internal GatewayFixture Gateway { get; private set; } = null!;

    public virtual async Task InitializeAsync()
    {
        Backend = await TestBackend.StartAsync();
        Gateway = await GatewayFixture.StartAsync();
    }

    public virtual async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Backend.DisposeAsync();
    }
}
