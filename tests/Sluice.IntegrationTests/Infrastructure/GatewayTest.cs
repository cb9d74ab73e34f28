namespace Sluice.IntegrationTests.Infrastructure;

/// <summary>
/// A test class with its own gateway and one echo backend, both fresh for every test (xunit
/// creates the class per test). Override <see cref="InitializeAsync"/> to apply configuration.
/// The gateway's log goes to the test's output, and an error it logs fails the test unless the
/// test declared it (<c>Gateway.Logs.Expect</c>).
/// </summary>
public abstract class GatewayTest(ITestOutputHelper output) : IAsyncLifetime
{
    protected ITestOutputHelper Output { get; } = output;

    internal TestBackend Backend { get; private set; } = null!;

    internal GatewayFixture Gateway { get; private set; } = null!;

    public virtual async Task InitializeAsync()
    {
        Backend = await TestBackend.StartAsync();
        Gateway = await GatewayFixture.StartAsync(output: Output);
    }

    public virtual async Task DisposeAsync()
    {
        try
        {
            // Fails the test on an undeclared error log, after the gateway has stopped.
            await Gateway.DisposeAsync();
        }
        finally
        {
            await Backend.DisposeAsync();
        }
    }
}
