using Sluice.Plan;

namespace Sluice.Translation;

/// <summary>A function plugin's answer about one function spec.</summary>
public sealed record FunctionSpecResult
{
    public static readonly FunctionSpecResult NotMine = new();

    /// <summary>The compiled function; null when not mine, invalid, or served by plain forwarding.</summary>
    public IInvokerSpec? Invoker { get; private init; }

    public IReadOnlyList<string> Errors { get; private init; } = [];

    public bool IsMine { get; private init; }

    /// <summary>Mine and valid; <paramref name="invoker"/> serves it (null: forward unchanged).</summary>
    public static FunctionSpecResult Accepted(IInvokerSpec? invoker) => new() { Invoker = invoker, IsMine = true };

    public static FunctionSpecResult Invalid(params string[] errors) => new() { Errors = errors, IsMine = true };
}
