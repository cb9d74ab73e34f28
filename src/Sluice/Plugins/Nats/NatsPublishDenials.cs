using System.Collections.Concurrent;

namespace Sluice.Plugins.Nats;

/// <summary>
/// The subjects a connection's server refused to take a publish on (<c>-ERR 'Permissions
/// Violation for Publish to "…"'</c>). NATS sends that error instead of nothing, and only in its
/// order on the connection: it arrives before the PONG of a PING sent behind the publish. So a
/// publish takes a <see cref="Mark"/> before it goes out and asks <see cref="DeniedSince"/> once
/// its PONG (or its reply) is in. The happy path costs two reads of one counter.
/// </summary>
internal sealed class NatsPublishDenials
{
    private long _count;

    /// <summary>Subject → the value of the counter at its latest denial. Subjects come from routes, so the map stays small.</summary>
    private readonly ConcurrentDictionary<string, long> _latest = new(StringComparer.Ordinal);

    public long Mark => Volatile.Read(ref _count);

    /// <summary>Called on NATS.Net's read loop, in the order of the server's answers (so before any later PONG is seen).</summary>
    public void Record(string subject)
    {
        // The map first: a reader who sees the new count then finds the subject in it.
        var next = Volatile.Read(ref _count) + 1;
        _latest[subject] = next;
        Interlocked.Exchange(ref _count, next);
    }

    /// <summary>Whether the server has ever refused <paramref name="subject"/> on this connection; one read while it never refused anything.</summary>
    public bool EverDenied(string subject) => Volatile.Read(ref _count) != 0 && _latest.ContainsKey(subject);

    /// <summary>Whether the server refused <paramref name="subject"/> after <paramref name="mark"/> was taken.</summary>
    public bool DeniedSince(long mark, string subject) =>
        Volatile.Read(ref _count) != mark && _latest.TryGetValue(subject, out var at) && at > mark;

    /// <summary>The subject in the server's text <c>Permissions Violation for Publish to "subject"</c> (Go's %q quoting); null for any other error.</summary>
    public static string? DeniedSubject(string serverError)
    {
        const string Prefix = "Permissions Violation for Publish to \"";
        if (!serverError.StartsWith(Prefix, StringComparison.Ordinal) || !serverError.EndsWith('"'))
        {
            return null;
        }
        var quoted = serverError.AsSpan(Prefix.Length, serverError.Length - Prefix.Length - 1);
        return quoted.Contains('\\') ? quoted.ToString().Replace("\\\"", "\"").Replace("\\\\", "\\") : quoted.ToString();
    }
}
