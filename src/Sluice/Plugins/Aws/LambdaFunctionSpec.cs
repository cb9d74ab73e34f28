using System.Text.RegularExpressions;
using Sluice.Api;
using Sluice.Translation;

namespace Sluice.Plugins.Aws;

/// <summary>A Lambda function of an aws upstream: its name (or ARN) and optional qualifier.</summary>
internal static partial class LambdaFunctionSpec
{
    public static (string? Name, string? Qualifier, List<string> Errors) Read(UpstreamFunction function)
    {
        var diagnostics = new Diagnostics();
        var spec = new SpecReader(function.Spec, "spec", diagnostics);
        var name = spec.String("function_name");
        var qualifier = spec.String("qualifier");
        var errors = new List<string>(diagnostics.Errors);
        if (string.IsNullOrEmpty(name))
        {
            errors.Add("spec.function_name: is required (the Lambda function's name or ARN)");
        }
        else if (!NamePattern().IsMatch(name))
        {
            errors.Add($"spec.function_name: '{name}' is not a Lambda function name or ARN (letters, digits, '-', '_', ':')");
        }
        if (!string.IsNullOrEmpty(qualifier) && !QualifierPattern().IsMatch(qualifier))
        {
            errors.Add($"spec.qualifier: '{qualifier}' is not a version or alias (letters, digits, '-', '_', or $LATEST)");
        }
        return (name, string.IsNullOrEmpty(qualifier) ? null : qualifier, errors);
    }

    [GeneratedRegex("^[A-Za-z0-9_:.-]{1,170}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"^(\$LATEST|[A-Za-z0-9_-]{1,128})$")]
    private static partial Regex QualifierPattern();
}
