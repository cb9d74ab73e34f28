using Sluice.Api;
using Sluice.Plan;

namespace Sluice.Translation;

/// <summary>
/// Turns one virtual service into a virtual host. Errors in a route reject the whole virtual
/// service (its last accepted version keeps serving); a route whose upstream is missing stays in
/// place, answering 503, so it still shadows the routes after it, and only warns.
/// </summary>
internal sealed class VirtualServiceTranslator(PluginRegistry plugins)
{
    public VirtualHostPlan? Translate(VirtualService service, ServedUpstreams upstreams, TranslationContext context, Diagnostics diagnostics)
    {
        var domains = NormalizeDomains(service.Domains, diagnostics);
        var routes = new List<RoutePlan>(service.Routes.Count);
        for (var i = 0; i < service.Routes.Count; i++)
        {
            if (TranslateRoute(service.Name, i, service.Routes[i], upstreams, context, diagnostics) is { } route)
            {
                routes.Add(route);
            }
        }
        var tls = service.SslConfig is null ? null : TlsTranslator.Translate(service.SslConfig, domains, context, diagnostics);
        if (diagnostics.HasErrors)
        {
            return null;
        }
        return new VirtualHostPlan { Name = service.Name, Domains = domains, Routes = new(routes), Tls = tls };
    }

    /// <summary>
    /// Lower-cases domains; empty (or <c>""</c>) means <c>*</c>. Wildcards are a leading
    /// <c>*</c> only (<c>*.a.com</c>, <c>*-b.a.com</c>), as Envoy matched them. Ports are ignored
    /// when matching, so a domain must not carry one.
    /// </summary>
    internal static ValueList<string> NormalizeDomains(ValueList<string> domains, Diagnostics diagnostics)
    {
        if (domains.Count == 0)
        {
            return new(["*"]);
        }
        var result = new List<string>();
        for (var i = 0; i < domains.Count; i++)
        {
            var domain = domains[i].Trim().ToLowerInvariant();
            if (domain.Length == 0)
            {
                domain = "*";
            }
            var name = domain.StartsWith('*') ? domain[1..] : domain;
            if (name.Contains('*'))
            {
                diagnostics.Error($"domains[{i}]", $"'{domains[i]}': a wildcard may only lead the domain, as in '*.example.com'");
            }
            else if (name.Contains(':'))
            {
                diagnostics.Error($"domains[{i}]", $"'{domains[i]}': ports are not part of a domain (the Host's port is ignored when matching)");
            }
            else if (name.Length > 0 && !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_'))
            {
                diagnostics.Error($"domains[{i}]", $"'{domains[i]}' is not a host name");
            }
            else if (result.Contains(domain))
            {
                diagnostics.Error($"domains[{i}]", $"'{domains[i]}' is listed twice");
            }
            else
            {
                result.Add(domain);
            }
        }
        return new(result);
    }

    private RoutePlan? TranslateRoute(string serviceName, int index, Route route, ServedUpstreams upstreams, TranslationContext context, Diagnostics diagnostics)
    {
        var field = $"routes[{index}]";
        var match = RouteMatchCompiler.Compile(route, field, diagnostics);
        ValueList<DestinationPlan>? destinations;
        RedirectPlan? redirect = null;
        DirectResponsePlan? directResponse = null;
        if (route.Redirect is null && route.DirectResponse is null)
        {
            destinations = TranslateDestinations(route, field, upstreams, diagnostics);
        }
        else
        {
            if (route.SingleDestination is not null || route.MultipleDestinations is not null)
            {
                diagnostics.Error(field, "a route either answers by itself ('redirect', 'direct_response') or goes to a destination, not both");
            }
            destinations = ValueList<DestinationPlan>.Empty;
            redirect = route.Redirect is { } r ? RouteActionTranslator.Redirect(r, match, $"{field}.redirect", diagnostics) : null;
            directResponse = route.DirectResponse is { } d ? RouteActionTranslator.DirectResponse(d, $"{field}.direct_response", diagnostics) : null;
        }

        foreach (var property in route.Extensions.Root.EnumerateObject())
        {
            if (!plugins.ExtensionKeys.Contains(property.Name))
            {
                diagnostics.Warning($"{field}.extensions.{property.Name}", "unknown extension, ignored");
            }
        }
        var builder = new RouteBuilder { Match = match, Redirect = redirect, DirectResponse = directResponse };
        var routeDiagnostics = new Diagnostics();
        foreach (var plugin in plugins.RoutePlugins)
        {
            plugin.ProcessRoute(route, builder, context, routeDiagnostics);
        }
        foreach (var error in routeDiagnostics.Errors)
        {
            diagnostics.Error($"{field}.{error}");
        }
        foreach (var warning in routeDiagnostics.Warnings)
        {
            diagnostics.Warning($"{field}.{warning}");
        }

        string? prefixRewrite = null;
        if (route.PrefixRewrite is { } rewrite)
        {
            if (match?.PathKind == PathMatchKind.Regex)
            {
                diagnostics.Warning($"{field}.prefix_rewrite", "ignored on a path_regex route (there is no prefix to replace)");
            }
            else if (!rewrite.StartsWith('/'))
            {
                diagnostics.Error($"{field}.prefix_rewrite", $"'{rewrite}' must start with '/'");
            }
            else
            {
                prefixRewrite = rewrite;
            }
        }

        var regexRewrite = route.RegexRewrite is { } regex ? RouteActionTranslator.RegexRewrite(regex, $"{field}.regex_rewrite", diagnostics) : null;

        if (match is null || destinations is null || routeDiagnostics.HasErrors || diagnostics.HasErrors)
        {
            return null;
        }
        return builder.Build($"{serviceName}/{index}", match, destinations, prefixRewrite) with
        {
            RegexRewrite = regexRewrite,
            RegexSubstitution = route.RegexRewrite?.Substitution,
        };
    }

    private static ValueList<DestinationPlan>? TranslateDestinations(Route route, string field, ServedUpstreams upstreams, Diagnostics diagnostics)
    {
        if ((route.SingleDestination is null) == (route.MultipleDestinations is null))
        {
            diagnostics.Error(field, "must specify either 'single_destination' or 'multiple_destinations' for route");
            return null;
        }
        if (route.SingleDestination is { } single)
        {
            var plan = TranslateDestination(single, 1, $"{field}.single_destination", upstreams, diagnostics);
            return plan is null ? null : new([plan]);
        }

        var weighted = route.MultipleDestinations!;
        if (weighted.Count == 0)
        {
            diagnostics.Error($"{field}.multiple_destinations", "must list at least one destination");
            return null;
        }
        var plans = new List<DestinationPlan>();
        for (var i = 0; i < weighted.Count; i++)
        {
            var itemField = $"{field}.multiple_destinations[{i}]";
            if (weighted[i].Weight == 0)
            {
                diagnostics.Error($"{itemField}.weight", "invalid destination in weighted destination list: weight must be greater than 0");
                continue;
            }
            if (TranslateDestination(weighted[i].Destination, weighted[i].Weight, $"{itemField}.destination", upstreams, diagnostics) is { } plan)
            {
                plans.Add(plan);
            }
        }
        return plans.Count == weighted.Count ? new(plans) : null;
    }

    private static DestinationPlan? TranslateDestination(Destination destination, uint weight, string field, ServedUpstreams upstreams, Diagnostics diagnostics)
    {
        if ((destination.Upstream is null) == (destination.Function is null))
        {
            diagnostics.Error(field, "must specify either a function or upstream on a single destination");
            return null;
        }

        var upstreamName = destination.UpstreamName!;
        if (!upstreams.Clusters.TryGetValue(upstreamName, out var cluster))
        {
            var why = upstreams.WhyUnavailable(upstreamName);
            diagnostics.Warning(field, $"{why}; this route answers 503 until it is available");
            return new DestinationPlan { Weight = weight, Answer = new SluiceError(SluiceErrorCode.UpstreamUnavailable, why) };
        }
        if (destination.Function is { } function)
        {
            if (!cluster.AcceptsAnyFunction && !cluster.Functions.Any(f => f.Name == function.FunctionName))
            {
                var why = $"function '{function.FunctionName}' was not found on upstream '{upstreamName}'";
                diagnostics.Warning(field, $"{why}; this route answers 404 until it exists");
                return new DestinationPlan { Weight = weight, Answer = new SluiceError(SluiceErrorCode.FunctionNotFound, why) };
            }
            return new DestinationPlan { Cluster = upstreamName, Function = function.FunctionName, Weight = weight };
        }
        return new DestinationPlan { Cluster = upstreamName, Weight = weight };
    }
}
