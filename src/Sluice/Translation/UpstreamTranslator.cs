using Sluice.Api;
using Sluice.Plan;

namespace Sluice.Translation;

/// <summary>Turns one upstream into its cluster, or into the errors that reject it.</summary>
internal sealed class UpstreamTranslator(PluginRegistry plugins)
{
    public ClusterPlan? Translate(Upstream upstream, TranslationContext context, Diagnostics diagnostics)
    {
        if (!plugins.UpstreamPlugins.TryGetValue(upstream.Type, out var plugin))
        {
            var known = string.Join(", ", plugins.UpstreamPlugins.Keys.Order(StringComparer.Ordinal));
            diagnostics.Error("type", $"unknown upstream type '{upstream.Type}' (known: {known})");
            return null;
        }
        if (upstream.ConnectionTimeout is { } timeout && timeout <= TimeSpan.Zero)
        {
            diagnostics.Error("connection_timeout", "must be greater than zero");
        }

        var cluster = plugin.BuildCluster(upstream, context, diagnostics);
        if (cluster is not null && upstream.ServiceInfo is { } service)
        {
            foreach (var servicePlugin in plugins.ServicePlugins)
            {
                if (servicePlugin.ServiceTypes.Contains(service.Type, StringComparer.Ordinal))
                {
                    cluster = servicePlugin.ApplyServiceInfo(upstream, cluster, context, diagnostics);
                    break;
                }
            }
        }
        var functions = TranslateFunctions(upstream, context, diagnostics);
        if (cluster is null)
        {
            return null;
        }
        cluster = TrafficPolicyTranslator.Apply(upstream, cluster with { Functions = functions, UseHttp2 = upstream.UseHttp2 || cluster.UseHttp2 }, diagnostics);
        return diagnostics.HasErrors ? null : cluster;
    }

    /// <summary>
    /// Every function must be unique, and a function plugin that claims a spec must accept it.
    /// A function no plugin claims is still routable: requests go to the upstream unchanged.
    /// A discovered function a plugin refuses is left out with a warning: what discovery got
    /// wrong must not reject what the user wrote.
    /// </summary>
    private ValueList<FunctionPlan> TranslateFunctions(Upstream upstream, TranslationContext context, Diagnostics diagnostics)
    {
        var functions = new List<FunctionPlan>(upstream.Functions.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < upstream.Functions.Count; i++)
        {
            var function = upstream.Functions[i];
            if (!seen.Add(function.Name))
            {
                diagnostics.Error($"functions[{i}].name", $"function '{function.Name}' is defined more than once");
                continue;
            }
            IInvokerSpec? invoker = null;
            var refused = false;
            foreach (var plugin in plugins.FunctionPlugins)
            {
                var result = plugin.ParseFunctionSpec(upstream, function, context);
                foreach (var error in result.Errors)
                {
                    refused = true;
                    if (function.Discovered is { } origin)
                    {
                        diagnostics.Warning($"functions ({function.Name})", $"discovered function left out (from {origin.Source}): {error}");
                    }
                    else
                    {
                        diagnostics.Error($"functions[{i}] ({function.Name})", error);
                    }
                }
                if (result.IsMine)
                {
                    invoker = result.Invoker;
                    break;
                }
            }
            if (refused && function.Discovered is not null)
            {
                continue;
            }
            functions.Add(new FunctionPlan(function.Name) { Invoker = invoker });
        }
        return new(functions);
    }
}
