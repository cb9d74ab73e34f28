using System.Text.RegularExpressions;
using Sluice.Api;
using Sluice.Plan;
using Sluice.Plugins.Serverless;
using Sluice.Translation;

namespace Sluice.Plugins.Google;

/// <summary>
/// <c>type: google</c>: HTTP-triggered Google Cloud Functions of one project and region, at
/// <c>&lt;region&gt;-&lt;project_id&gt;.cloudfunctions.net</c>. Each function is its trigger
/// URL; requests go to that URL's path with its host as Host. With <c>spec.secret_ref</c> (a
/// service-account key), functions are private: each call carries an ID token for its URL.
/// </summary>
internal sealed partial class GoogleUpstreamPlugin : IUpstreamPlugin, IFunctionPlugin
{
    public const string Type = "google";

    public string Name => "google";

    public IReadOnlyList<string> UpstreamTypes { get; } = [Type];

    public ClusterPlan? BuildCluster(Upstream upstream, TranslationContext context, Diagnostics diagnostics)
    {
        var spec = new SpecReader(upstream.Spec, "spec", diagnostics);
        var host = ReadHost(spec, diagnostics);
        var endpoint = EndpointOverride.Read(spec, diagnostics);
        ServiceAccountKey.Read(spec, context, diagnostics);
        spec.WarnUnknownKeys();
        return diagnostics.HasErrors || host is null
            ? null
            : EndpointOverride.Cluster(upstream.Name, host, endpoint, upstream.ConnectionTimeout ?? ClusterDefaults.ConnectTimeout);
    }

    public FunctionSpecResult ParseFunctionSpec(Upstream upstream, UpstreamFunction function, TranslationContext context)
    {
        if (upstream.Type != Type)
        {
            return FunctionSpecResult.NotMine;
        }
        var diagnostics = new Diagnostics();
        var spec = new SpecReader(function.Spec, "spec", diagnostics);
        var text = spec.String("url");
        var errors = new List<string>(diagnostics.Errors);
        if (string.IsNullOrEmpty(text))
        {
            errors.Add("spec.url: is required (the function's HTTPS trigger URL)");
            return FunctionSpecResult.Invalid([.. errors]);
        }
        if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || url.Scheme != "https" || url.Query.Length > 0)
        {
            errors.Add($"spec.url: '{text}' is not an https trigger URL without query (e.g. https://us-central1-my-project.cloudfunctions.net/hello)");
            return FunctionSpecResult.Invalid([.. errors]);
        }
        var upstreamSpec = new SpecReader(upstream.Spec, "spec", new Diagnostics());
        var host = ReadHost(upstreamSpec, new Diagnostics());
        // A bad key is the upstream's error (BuildCluster); its functions are then not served.
        var key = ServiceAccountKey.Read(upstreamSpec, context, new Diagnostics());
        if (host is not null && !string.Equals(url.IdnHost, host, StringComparison.OrdinalIgnoreCase))
        {
            errors.Add($"spec.url: host '{url.IdnHost}' is not this upstream's host '{host}' (region and project_id decide it)");
        }
        if (errors.Count > 0)
        {
            return FunctionSpecResult.Invalid([.. errors]);
        }
        var rewrite = new PathRewriteSpec(url.AbsolutePath) { Host = url.IdnHost };
        // Google's audience for a function's ID token is its trigger URL.
        return FunctionSpecResult.Accepted(key is null ? rewrite : new GoogleFunctionSpec(rewrite, key, url.GetLeftPart(UriPartial.Path)));
    }

    private static string? ReadHost(SpecReader spec, Diagnostics diagnostics)
    {
        var region = spec.String("region");
        var project = spec.String("project_id");
        if (string.IsNullOrEmpty(region))
        {
            diagnostics.Error("spec.region", "is required (e.g. us-central1)");
        }
        else if (!Region().IsMatch(region))
        {
            diagnostics.Error("spec.region", $"'{region}' is not a well-formed Google Cloud region (e.g. us-central1, europe-west4)");
        }
        if (string.IsNullOrEmpty(project))
        {
            diagnostics.Error("spec.project_id", "is required");
        }
        else if (!Project().IsMatch(project))
        {
            diagnostics.Error("spec.project_id", $"'{project}' is not a project id (6 to 30 lower-case letters, digits or '-', starting with a letter)");
        }
        return diagnostics.HasErrors ? null : $"{region}-{project}.cloudfunctions.net";
    }

    [GeneratedRegex("^[a-z]+-[a-z]+[0-9]+$")]
    private static partial Regex Region();

    [GeneratedRegex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$")]
    private static partial Regex Project();
}
