using Sluice.Plan;
using Sluice.Translation;

namespace Sluice.Plugins.Routing;

/// <summary>Reads <c>extensions.retries</c>: Envoy's retry policy, in Gloo Edge's snake_case names.</summary>
internal static class RetryPolicyReader
{
    private static readonly Dictionary<string, RetryOn> Conditions = new(StringComparer.Ordinal)
    {
        ["5xx"] = RetryOn.ServerError,
        ["gateway-error"] = RetryOn.GatewayError,
        ["connect-failure"] = RetryOn.ConnectFailure,
        ["reset"] = RetryOn.Reset,
        ["retriable-4xx"] = RetryOn.Retriable4xx,
        ["retriable-status-codes"] = RetryOn.RetriableStatusCodes,
    };

    public static RetryPlan? Read(SpecReader policy, string field, Diagnostics diagnostics)
    {
        var retryOn = RetryOn.None;
        var conditions = policy.Strings("retry_on") ?? ["5xx"];
        foreach (var condition in conditions)
        {
            if (Conditions.TryGetValue(condition, out var flag))
            {
                retryOn |= flag;
            }
            else
            {
                diagnostics.Error($"{field}.retry_on", $"unknown condition '{condition}' (known: {string.Join(", ", Conditions.Keys)})");
            }
        }
        var numRetries = (int)(policy.Integer("num_retries", 0, 10) ?? 1);
        var perTryTimeout = policy.Duration("per_try_timeout");
        var codes = ReadCodes(policy, field, diagnostics);
        policy.WarnUnknownKeys();

        if (perTryTimeout == TimeSpan.Zero)
        {
            diagnostics.Error($"{field}.per_try_timeout", "must be greater than zero");
        }
        if (retryOn.HasFlag(RetryOn.RetriableStatusCodes) && codes.Count == 0)
        {
            diagnostics.Error($"{field}.retriable_status_codes", "must list the statuses to retry when retry_on has 'retriable-status-codes'");
        }
        return new RetryPlan
        {
            NumRetries = numRetries,
            RetryOn = retryOn,
            RetriableStatusCodes = new(codes),
            PerTryTimeout = perTryTimeout,
        };
    }

    private static List<int> ReadCodes(SpecReader policy, string field, Diagnostics diagnostics)
    {
        var codes = new List<int>();
        foreach (var item in policy.Integers("retriable_status_codes") ?? [])
        {
            if (item is < 100 or > 599)
            {
                diagnostics.Error($"{field}.retriable_status_codes", $"{item} is not an HTTP status");
            }
            else
            {
                codes.Add((int)item);
            }
        }
        return codes;
    }
}
