using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Sluice.IntegrationTests.Infrastructure;

/// <summary>
/// Keeps every log line the gateway writes, copies it to the test's output when the test gave one,
/// and guards against the failures nobody asserts on: <see cref="AssertNoUnexpectedErrors"/> fails
/// on any error or critical line (a background loop that threw, an unhandled exception Kestrel
/// caught) that the test did not declare with <see cref="Expect"/>. <see cref="GatewayFixture"/>
/// calls it when the gateway is disposed, so every test that starts one is guarded.
/// </summary>
internal sealed class RecordingLoggerProvider(ITestOutputHelper? output = null) : ILoggerProvider
{
    private readonly ConcurrentQueue<LogLine> _lines = new();
    private readonly ConcurrentBag<(string Fragment, string Reason)> _expected = [];

    public IReadOnlyList<LogLine> Lines => [.. _lines];

    public bool Contains(string text) => _lines.Any(line => line.Message.Contains(text, StringComparison.Ordinal));

    /// <summary>
    /// Declares that error lines containing <paramref name="fragment"/> (in the message, the
    /// category or the exception) are part of the test, and <paramref name="reason"/> why.
    /// </summary>
    public RecordingLoggerProvider Expect(string fragment, string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        _expected.Add((fragment, reason));
        return this;
    }

    /// <summary>The error and critical lines no <see cref="Expect"/> covers.</summary>
    public IReadOnlyList<LogLine> UnexpectedErrors =>
        [.. _lines.Where(line => line.Level >= LogLevel.Error && !_expected.Any(e => line.Text.Contains(e.Fragment, StringComparison.Ordinal)))];

    public void AssertNoUnexpectedErrors()
    {
        var unexpected = UnexpectedErrors;
        if (unexpected.Count > 0)
        {
            var message = new StringBuilder($"The gateway logged {unexpected.Count} unexpected error(s):\n");
            foreach (var line in unexpected)
            {
                message.AppendLine(line.Text);
            }
            Assert.Fail(message.ToString());
        }
    }

    public ILogger CreateLogger(string categoryName) => new Recorder(this, categoryName);

    public void Dispose()
    {
    }

    private void Add(LogLine line)
    {
        _lines.Enqueue(line);
        try
        {
            output?.WriteLine(line.Text);
        }
        catch (InvalidOperationException)
        {
            // The test has finished (a background loop logging during disposal): the line is still recorded.
        }
    }

    /// <summary>One line as the gateway wrote it.</summary>
    public sealed record LogLine(LogLevel Level, EventId Id, string Category, string Message, Exception? Exception)
    {
        public string Text => $"{Level} {Category}[{Id.Id}] {Message}{(Exception is null ? "" : "\n" + Exception)}";
    }

    private sealed class Recorder(RecordingLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            provider.Add(new LogLine(logLevel, eventId, category, formatter(state, exception), exception));
    }
}
