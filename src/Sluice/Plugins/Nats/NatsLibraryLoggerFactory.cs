using Microsoft.Extensions.Logging;

namespace Sluice.Plugins.Nats;

/// <summary>
/// The logger factory NATS.Net gets for one connection. It does two things:
/// <list type="bullet">
/// <item>It sees a server's <c>-ERR</c> synchronously. NATS.Net logs it from its read loop
/// ("Server error {Error}", event Protocol) before it handles the next line from the server,
/// while its <c>ServerError</c> event is queued and may run after a later PONG is handled. So
/// the log call is the one place where a publish denial can be tied to the publish that caused
/// it (<see cref="NatsPublishDenials"/>).</item>
/// <item>It lowers the library's levels. NATS.Net logs every failed connect, refused login and
/// server error at Warning or Error. The gateway keeps serving through all of these, and Sluice logs them
/// itself with the server and the reason: connect failures once per reason, denials with the
/// request they failed. So those entries go to Debug, and the library's other errors go to Warning.</item>
/// <item>It keeps why the latest connect failed: NATS.Net logs the socket's or the server's
/// reason and then throws "can not connect uris" without it.</item>
/// </list>
/// </summary>
internal sealed class NatsLibraryLoggerFactory(ILoggerFactory inner, NatsPublishDenials denials) : ILoggerFactory
{
    private readonly NatsPublishDenials _denials = denials;
    private Exception? _lastConnectFailure;

    /// <summary>NATS.Net's event ids (<c>NatsLogEvents</c>): connection (connects, reconnects), security (refused logins) and protocol (server errors among others).</summary>
    private const int ConnectionEvent = 1001;
    private const int SecurityEvent = 1003;
    private const int ProtocolEvent = 1005;

    public ILogger CreateLogger(string categoryName) => new Logger(inner.CreateLogger(categoryName), this);

    /// <summary>The cause NATS.Net logged for the latest failed connect, taken once.</summary>
    public Exception? TakeConnectFailure() => Interlocked.Exchange(ref _lastConnectFailure, null);

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    /// <summary>The inner factory belongs to the host.</summary>
    public void Dispose()
    {
    }

    private sealed class Logger(ILogger inner, NatsLibraryLoggerFactory owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        /// <summary>
        /// Warnings and errors are always wanted, whatever the host's filter: a server's -ERR must
        /// reach <see cref="Log"/> to be recorded (the library logs little at these levels).
        /// </summary>
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning || inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var serverError = eventId.Id == ProtocolEvent ? ServerError(state) : null;
            if (serverError is not null && NatsPublishDenials.DeniedSubject(serverError) is { } subject)
            {
                owner._denials.Record(subject);
            }
            if (eventId.Id == ConnectionEvent && exception is not null && logLevel >= LogLevel.Error)
            {
                Volatile.Write(ref owner._lastConnectFailure, exception);
            }
            var level = Lowered(logLevel, eventId.Id is ConnectionEvent or SecurityEvent || serverError is not null);
            if (inner.IsEnabled(level))
            {
                inner.Log(level, eventId, state, exception, formatter);
            }
        }

        private static LogLevel Lowered(LogLevel level, bool reportedBySluice) => level switch
        {
            >= LogLevel.Warning when reportedBySluice => LogLevel.Debug,
            >= LogLevel.Error => LogLevel.Warning,
            _ => level,
        };

        /// <summary>The <c>{Error}</c> value of "Server error {Error}"; null for other entries.</summary>
        private static string? ServerError<TState>(TState state)
        {
            if (state is IReadOnlyList<KeyValuePair<string, object?>> values)
            {
                foreach (var (key, value) in values)
                {
                    if (key == "Error" && value is string text)
                    {
                        return text;
                    }
                }
            }
            return null;
        }
    }
}
