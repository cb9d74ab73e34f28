using System.Globalization;
using System.Numerics;
using System.Text.RegularExpressions;

namespace Sluice.Api.Codec;

/// <summary>
/// The YAML 1.2 core schema: which plain scalars are null, booleans, integers or floats, how
/// they become JSON numbers, and which strings must be quoted to stay strings when written.
/// </summary>
internal static partial class CoreSchema
{
    public static ScalarType Resolve(string text)
    {
        if (NullPattern().IsMatch(text))
        {
            return ScalarType.Null;
        }
        if (BoolPattern().IsMatch(text))
        {
            return ScalarType.Bool;
        }
        if (IntPattern().IsMatch(text))
        {
            return ScalarType.Int;
        }
        return FloatPattern().IsMatch(text) || SpecialFloatPattern().IsMatch(text) ? ScalarType.Float : ScalarType.String;
    }

    public static bool IsTrue(string text) => text is "true" or "True" or "TRUE";

    /// <summary>
    /// The JSON spelling of a core-schema number: "+5" → "5", "0x1F" → "31", ".5" → "0.5".
    /// Null for <c>.inf</c> and <c>.nan</c>, which JSON cannot hold.
    /// </summary>
    public static string? ToJsonNumber(string text)
    {
        if (text.StartsWith("0x", StringComparison.Ordinal))
        {
            return BigInteger.Parse("0" + text[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture)
                .ToString(CultureInfo.InvariantCulture);
        }
        if (text.StartsWith("0o", StringComparison.Ordinal))
        {
            var value = BigInteger.Zero;
            foreach (var digit in text.AsSpan(2))
            {
                value = (value * 8) + (digit - '0');
            }
            return value.ToString(CultureInfo.InvariantCulture);
        }
        var match = FloatPattern().Match(text);
        if (!match.Success)
        {
            return null;
        }
        // JSON forbids a leading '+', leading zeros, and a bare '.' on either side of the digits.
        var sign = match.Groups["sign"].Value == "-" ? "-" : "";
        var whole = match.Groups["whole"].Value.TrimStart('0');
        var fraction = match.Groups["fraction"].Value;
        var exponent = match.Groups["exponent"].Value;
        var result = new System.Text.StringBuilder(sign).Append(whole.Length == 0 ? "0" : whole);
        if (fraction.Length > 0)
        {
            result.Append('.').Append(fraction);
        }
        if (exponent.Length > 0)
        {
            result.Append('e').Append(exponent);
        }
        return result.ToString();
    }

    /// <summary>
    /// Whether a string must be quoted to read back as a string. Besides the core schema this
    /// also quotes what YAML 1.1 readers (Go's yaml.v2, which Gloo used, kubectl) would take for
    /// a boolean or a number, so a file Sluice writes means the same to them.
    /// </summary>
    public static bool NeedsQuotes(string text) =>
        Resolve(text) != ScalarType.String || Yaml11BoolPattern().IsMatch(text) || Yaml11NumberPattern().IsMatch(text)
        || text is "=" or "<<";

    [GeneratedRegex("^(~|null|Null|NULL|)$")]
    private static partial Regex NullPattern();

    [GeneratedRegex("^(true|True|TRUE|false|False|FALSE)$")]
    private static partial Regex BoolPattern();

    [GeneratedRegex("^([-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")]
    private static partial Regex IntPattern();

    [GeneratedRegex(@"^(?<sign>[-+]?)(\.(?<fraction>[0-9]+)|(?<whole>[0-9]+)(\.(?<fraction>[0-9]*))?)([eE](?<exponent>[-+]?[0-9]+))?$")]
    private static partial Regex FloatPattern();

    [GeneratedRegex(@"^([-+]?(\.inf|\.Inf|\.INF)|\.nan|\.NaN|\.NAN)$")]
    private static partial Regex SpecialFloatPattern();

    [GeneratedRegex("^(y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$")]
    private static partial Regex Yaml11BoolPattern();

    [GeneratedRegex(@"^[-+]?(\.?[0-9][0-9_:.]*|0[bxo][0-9a-fA-F_]+)([eE][-+]?[0-9]+)?$")]
    private static partial Regex Yaml11NumberPattern();
}
