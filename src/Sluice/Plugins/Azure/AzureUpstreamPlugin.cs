using System.Text.RegularExpressions;
using Sluice.Api;
using Sluice.Plan;
using Sluice.Plugins.Serverless;
using Sluice.Translation;

namespace Sluice.Plugins.Azure;

/// <summary>
/// <c>type: azure</c>: the HTTP-triggered functions of one Azure Functions app
/// (<c>&lt;function_app_name&gt;.azurewebsites.net</c>). Each function is called at
/// <c>/api/&lt;function_name&gt;</c>; its <c>auth_level</c> decides which key from the
/// upstream's secret goes with it (<c>function</c>: the function's own key, else the
/// <c>_master</c> key; <c>admin</c>: <c>_master</c>; <c>anonymous</c>: none).
/// </summary>
internal sealed partial class AzureUpstreamPlugin : IUpstreamPlugin, IFunctionPlugin
{
    public const string Type = "azure";
    public const string MasterKey = "_master";

    /// <summary>Azure reads a function key from this header or from the <c>code</c> query parameter.</summary>
    public const string KeyHeader = "x-functions-key";

    public string Name => "azure";

    public IReadOnlyList<string> UpstreamTypes { get; } = [Type];

    public ClusterPlan? BuildCluster(Upstream upstream, TranslationContext context, Diagnostics diagnostics)
    {
        var spec = new SpecReader(upstream.Spec, "spec", diagnostics);
        var app = spec.String("function_app_name");
        var secretRef = spec.String("secret_ref");
        var endpoint = EndpointOverride.Read(spec, diagnostics);
        spec.WarnUnknownKeys();
        if (string.IsNullOrEmpty(app))
        {
            diagnostics.Error("spec.function_app_name", "is required (the app's name in <name>.azurewebsites.net)");
        }
        else if (!AppName().IsMatch(app))
        {
            diagnostics.Error("spec.function_app_name", $"'{app}' is not a function app name (letters, digits and '-', at most 60)");
        }
        if (!string.IsNullOrEmpty(secretRef) && !context.TryGetSecret(secretRef, out _))
        {
            diagnostics.Error("spec.secret_ref", $"secret '{secretRef}' not found");
        }
        return diagnostics.HasErrors
            ? null
            : EndpointOverride.Cluster(upstream.Name, $"{app!.ToLowerInvariant()}.azurewebsites.net", endpoint, upstream.ConnectionTimeout ?? ClusterDefaults.ConnectTimeout);
    }

    public FunctionSpecResult ParseFunctionSpec(Upstream upstream, UpstreamFunction function, TranslationContext context)
    {
        if (upstream.Type != Type)
        {
            return FunctionSpecResult.NotMine;
        }
        var diagnostics = new Diagnostics();
        var spec = new SpecReader(function.Spec, "spec", diagnostics);
        var name = spec.String("function_name");
        var level = spec.String("auth_level") ?? "anonymous";
        var errors = new List<string>(diagnostics.Errors);
        if (string.IsNullOrEmpty(name))
        {
            errors.Add("spec.function_name: is required");
        }
        else if (!FunctionName().IsMatch(name))
        {
            errors.Add($"spec.function_name: '{name}' is not an Azure function name (letters, digits, '-', '_')");
        }

        string[] keyNames = level switch
        {
            "anonymous" => [],
            "function" => [name ?? "", MasterKey],
            "admin" => [MasterKey],
            _ => ["?"],
        };
        if (keyNames is ["?"])
        {
            errors.Add($"spec.auth_level: must be one of anonymous, function, admin; got '{level}'");
            keyNames = [];
        }
        string? key = null;
        if (keyNames.Length > 0 && errors.Count == 0)
        {
            key = FindKey(upstream, context, keyNames, errors);
        }
        return errors.Count > 0
            ? FunctionSpecResult.Invalid([.. errors])
            : FunctionSpecResult.Accepted(new PathRewriteSpec($"/api/{name}") { HeaderName = key is null ? null : KeyHeader, HeaderValue = key });
    }

    private static string? FindKey(Upstream upstream, TranslationContext context, string[] keyNames, List<string> errors)
    {
        var secretRef = new SpecReader(upstream.Spec, "spec", new Diagnostics()).String("secret_ref");
        if (string.IsNullOrEmpty(secretRef))
        {
            errors.Add($"spec.auth_level: needs a key, but the upstream has no spec.secret_ref (a secret with keys [{string.Join(", ", keyNames)}])");
            return null;
        }
        if (!context.TryGetSecret(secretRef, out var secret))
        {
            // Reported against the upstream's spec.secret_ref.
            return null;
        }
        foreach (var keyName in keyNames)
        {
            if (secret.TryGetValue(keyName, out var value) && !string.IsNullOrWhiteSpace(value))
            {
                return value.Trim();
            }
        }
        errors.Add($"spec.auth_level: secret not found for key names [{string.Join(", ", keyNames)}] in secret '{secretRef}'");
        return null;
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9-]{0,59}$")]
    private static partial Regex AppName();

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_-]{0,127}$")]
    private static partial Regex FunctionName();
}
