using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Sluice.IntegrationTests.Infrastructure;

/// <summary>Keeps every log line the gateway writes, for tests that assert what reaches the operator's log.</summary>
internal sealed class RecordingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<(LogLevel Level, EventId Id, string Message)> _lines = new();

    public IReadOnlyList<(LogLevel Level, EventId Id, string Message)> Lines => [.. _lines];

    public bool Contains(string text) => _lines.Any(line => line.Message.Contains(text, StringComparison.Ordinal));

    public ILogger CreateLogger(string categoryName) => new Recorder(_lines);

    public void Dispose()
    {
    }

    private sealed class Recorder(ConcurrentQueue<(LogLevel, EventId, string)> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue((logLevel, eventId, formatter(state, exception)));
    }
}
