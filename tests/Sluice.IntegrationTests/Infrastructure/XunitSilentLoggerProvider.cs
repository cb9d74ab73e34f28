using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Sluice.IntegrationTests.Infrastructure;

/// <summary>Keeps the gateway's logs out of test output; tests assert on behaviour, not logs.</summary>
internal sealed class XunitSilentLoggerProvider : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => NullLogger.Instance;

    public void Dispose()
    {
    }
}
