namespace Sluice.Translation;

/// <summary>
/// Errors and warnings collected while judging one object. Every problem is recorded and the
/// work goes on, so a user sees all of them at once. Errors reject the object; warnings only
/// mark it <c>Warning</c>.
/// </summary>
public sealed class Diagnostics
{
    private readonly List<string> _errors = [];
    private readonly List<string> _warnings = [];

    public IReadOnlyList<string> Errors => _errors;

    public IReadOnlyList<string> Warnings => _warnings;

    public bool HasErrors => _errors.Count > 0;

    /// <summary>An error about a field, named by its dotted path.</summary>
    public void Error(string field, string message) => _errors.Add($"{field}: {message}");

    public void Warning(string field, string message) => _warnings.Add($"{field}: {message}");

    public void Error(string message) => _errors.Add(message);

    public void Warning(string message) => _warnings.Add(message);
}
