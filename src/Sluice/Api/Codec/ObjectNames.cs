using System.Text.RegularExpressions;

namespace Sluice.Api.Codec;

/// <summary>Gloo's rule for object names: lowercase RFC 1123 labels separated by dots.</summary>
internal static partial class ObjectNames
{
    public const string Rule =
        "a name is lowercase letters, digits and '-', in labels separated by '.'; each label starts and ends "
        + "with a letter or digit and has at most 63 characters; at most 253 characters in all";

    public static bool IsValid(string name) =>
        name.Length is > 0 and <= 253 && Pattern().IsMatch(name) && name.Split('.').All(label => label.Length <= 63);

    /// <summary>The pattern (without the label length limit), also used by the JSON Schema.</summary>
    public const string PatternText = @"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

    [GeneratedRegex(PatternText)]
    private static partial Regex Pattern();
}
