namespace Sluice.Translation;

/// <summary>A function plugin's answer about one function spec.</summary>
public sealed record FunctionSpecResult
{
    public static readonly FunctionSpecResult NotMine = new();

    /// <summary>The compiled function (an invoker's input); null when not mine or invalid.</summary>
    public object? Function { get; private init; }

    public IReadOnlyList<string> Errors { get; private init; } = [];

    public bool IsMine => Function is not null || Errors.Count > 0;

    public static FunctionSpecResult Accepted(object function) => new() { Function = function };

    public static FunctionSpecResult Invalid(params string[] errors) => new() { Errors = errors };
}
