using Microsoft.Extensions.Logging;

namespace Sluice.Consul;

/// <summary>
/// Follows one Consul read with blocking queries, by the rules of Consul's "Blocking Queries"
/// reference:
/// <list type="bullet">
/// <item>each query waits on the index of the previous answer, so an unchanged service costs one
///   request per <see cref="ConsulOptions.Wait"/>, and a change is answered at once;</item>
/// <item>an index that goes backwards (a snapshot restored, the agent's servers rebuilt) resets to
///   0, a plain read; waiting on the old, higher index would hold every query to its full wait;</item>
/// <item>an answer with index 0 is waited on as 1, so the next query blocks instead of looping;</item>
/// <item>after a failure the loop pauses, doubling from <see cref="ConsulOptions.MinRetryDelay"/> up to
///   <see cref="ConsulOptions.MaxRetryDelay"/>, then reads afresh from index 0 (an agent that
///   restarted may count from a lower index). Meanwhile the consumer keeps what it had.</item>
/// </list>
/// Every answer is handed on, changed or not (a wait that ran out repeats the last one): the
/// endpoint sink ignores an equal list, and discovery uses it to repair drift.
/// </summary>
internal static partial class BlockingQuery
{
    public static async Task RunAsync<T>(
        string what,
        Func<ulong, CancellationToken, Task<ConsulAnswer<T>>> query,
        Func<T, CancellationToken, Task> answered,
        ConsulOptions options,
        ILogger logger,
        CancellationToken cancellationToken)
    {
        ulong index = 0;
        var delay = options.MinRetryDelay;
        var failing = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            ConsulAnswer<T> answer;
            try
            {
                answer = await query(index, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or ConsulException or IOException)
            {
                if (!failing)
                {
                    // One line when it starts failing and one when it recovers, not one per retry.
                    Log.QueryFailed(logger, what, e.Message);
                    failing = true;
                }
                index = 0;
                await Task.Delay(delay, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, options.MaxRetryDelay.Ticks));
                continue;
            }
            if (failing)
            {
                Log.QueryRecovered(logger, what);
                failing = false;
            }
            delay = options.MinRetryDelay;
            index = answer.Index < index ? 0 : Math.Max(answer.Index, 1);
            await answered(answer.Value, cancellationToken).ConfigureAwait(false);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = ConsulEventIds.QueryFailed, Level = LogLevel.Warning, Message = "Consul query for {What} failed ({Reason}); keeping the last answer and retrying")]
        public static partial void QueryFailed(ILogger logger, string what, string reason);

        [LoggerMessage(EventId = ConsulEventIds.QueryRecovered, Level = LogLevel.Information, Message = "Consul query for {What} answers again")]
        public static partial void QueryRecovered(ILogger logger, string what);
    }
}
