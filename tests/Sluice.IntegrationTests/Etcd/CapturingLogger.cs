using Microsoft.Extensions.Logging;

namespace Sluice.IntegrationTests.Etcd;

/// <summary>Keeps the event ids and messages logged through it, for tests that assert what was said.</summary>
internal sealed class CapturingLogger : ILogger, ILoggerProvider
{
    /// <summary>As a provider, every category logs into this one logger.</summary>
    public ILogger CreateLogger(string categoryName) => this;

    public void Dispose()
    {
    }

    private readonly List<(int EventId, string Message)> _entries = [];

    public IReadOnlyList<(int EventId, string Message)> Entries
    {
        get
        {
            lock (_entries)
            {
                return [.. _entries];
            }
        }
    }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_entries)
        {
            _entries.Add((eventId.Id, formatter(state, exception)));
        }
    }
}
