using Sluice.Api;
using Sluice.Plan;
using Sluice.Translation;

namespace Sluice.Plugins.Routing;

/// <summary>
/// Gloo's core route extensions: header manipulation, host rewrite, timeout and the
/// <c>max_retries</c> shorthand (retry on 5xx and connect failure).
/// </summary>
internal sealed class RoutingExtensionsPlugin : IRoutePlugin
{
    private const string AddRequestHeaders = "add_request_headers";
    private const string AddResponseHeaders = "add_response_headers";
    private const string RemoveResponseHeaders = "remove_response_headers";
    private const string MaxRetries = "max_retries";
    private const string Retries = "retries";
    private const string Timeout = "timeout";
    private const string HostRewrite = "host_rewrite";

    /// <summary>Headers the gateway owns; letting a route set them would corrupt the exchange.</summary>
    private static readonly HashSet<string> ReservedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "host", "content-length", "transfer-encoding", "connection", "upgrade", "te", "trailer", "keep-alive",
    };

    public string Name => "routing";

    public IReadOnlyCollection<string> ExtensionKeys { get; } =
        [AddRequestHeaders, AddResponseHeaders, RemoveResponseHeaders, MaxRetries, Retries, Timeout, HostRewrite];

    public void ProcessRoute(Route route, RouteBuilder builder, TranslationContext context, Diagnostics diagnostics)
    {
        var extensions = new SpecReader(route.Extensions, "extensions", diagnostics);
        ReadHeaders(extensions, AddRequestHeaders, builder.AddRequestHeaders, diagnostics);
        ReadHeaders(extensions, AddResponseHeaders, builder.AddResponseHeaders, diagnostics);

        foreach (var name in extensions.Strings(RemoveResponseHeaders) ?? [])
        {
            if (IsHeaderName(name))
            {
                builder.RemoveResponseHeaders.Add(name);
            }
            else
            {
                diagnostics.Error($"extensions.{RemoveResponseHeaders}", $"'{name}' is not a valid header name");
            }
        }
        if (builder.AddRequestHeaders.Count > 0)
        {
            builder.Filters.Add(new RequestHeadersFilter(new(builder.AddRequestHeaders)));
        }
        if (builder.AddResponseHeaders.Count > 0 || builder.RemoveResponseHeaders.Count > 0)
        {
            builder.Filters.Add(new ResponseHeadersFilter(new(builder.RemoveResponseHeaders), new(builder.AddResponseHeaders)));
        }

        var maxRetries = extensions.Integer(MaxRetries, 0, 10);
        var retries = extensions.Object(Retries) is { } policy ? RetryPolicyReader.Read(policy, $"extensions.{Retries}", diagnostics) : null;
        if (maxRetries is not null && retries is not null)
        {
            diagnostics.Error("extensions", "set either 'max_retries' (Gloo's shorthand) or 'retries', not both");
        }
        builder.Retries = retries ?? (maxRetries > 0 ? RetryPlan.MaxRetries((int)maxRetries) : null);
        var timeout = extensions.Duration(Timeout);
        if (timeout == TimeSpan.Zero)
        {
            diagnostics.Error($"extensions.{Timeout}", "must be greater than zero");
        }
        builder.Timeout = timeout;

        var host = extensions.String(HostRewrite);
        if (host is not null)
        {
            if (Uri.CheckHostName(host.Split(':')[0]) == UriHostNameType.Unknown)
            {
                diagnostics.Error($"extensions.{HostRewrite}", $"'{host}' is not a valid host");
            }
            builder.HostRewrite = host;
        }
    }

    private static void ReadHeaders(SpecReader extensions, string key, List<HeaderValuePlan> into, Diagnostics diagnostics)
    {
        foreach (var header in extensions.Objects(key) ?? [])
        {
            var name = header.String("key");
            var value = header.String("value") ?? "";
            var append = header.Bool("append") ?? false;
            header.WarnUnknownKeys();
            if (name is null || !IsHeaderName(name))
            {
                diagnostics.Error($"extensions.{key}", $"'{name}' is not a valid header name");
            }
            else if (ReservedHeaders.Contains(name))
            {
                diagnostics.Error($"extensions.{key}", $"header '{name}' is managed by the gateway and cannot be set");
            }
            else if (value.Any(c => c is '\r' or '\n' or '\0'))
            {
                diagnostics.Error($"extensions.{key}", $"value of header '{name}' contains a line break");
            }
            else
            {
                into.Add(new HeaderValuePlan(name, value, append));
            }
        }
    }

    /// <summary>RFC 9110 token characters.</summary>
    private static bool IsHeaderName(string name) =>
        name.Length > 0 && name.All(c => c < 127 && (char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c)));
}
