using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Sluice.Api;
using Sluice.Plan;
using Sluice.Translation;

namespace Sluice.Plugins.Grpc;

/// <summary>
/// <c>service_info.type: gRPC</c> (§2.9, §9): the upstream's descriptors
/// (<c>descriptors_file_ref</c>, a FileDescriptorSet) and <c>grpc_service_names</c> compile into
/// a <see cref="GrpcTranscoderSpec"/> that serves every route to the upstream: routes to a
/// function by Gloo's mapping, routes to the upstream itself by the methods' <c>google.api.http</c>
/// rules. Its functions (discovery's <c>{service, method, input_type, output_type}</c>) are
/// claimed here so no other plugin reads them as something else.
/// </summary>
internal sealed class GrpcPlugin : IServicePlugin, IFunctionPlugin
{
    private const string Properties = "service_info.properties";

    /// <summary>
    /// The last spec compiled per upstream, by everything it was compiled from: every config change
    /// translates every upstream again, and compiling codecs for an unchanged descriptor set again
    /// would be wasted work (the translation stays a function of its inputs).
    /// </summary>
    private readonly ConcurrentDictionary<string, Compiled> _compiled = new(StringComparer.Ordinal);

    public string Name => "grpc";

    public IReadOnlyList<string> ServiceTypes { get; } = ["gRPC", "grpc"];

    public ClusterPlan? ApplyServiceInfo(Upstream upstream, ClusterPlan cluster, TranslationContext context, Diagnostics diagnostics)
    {
        var properties = new SpecReader(upstream.ServiceInfo!.Properties, Properties, diagnostics);
        var serviceNames = properties.Strings("grpc_service_names");
        var fileRef = properties.String("descriptors_file_ref");
        var headers = properties.Strings("request_headers") ?? [];
        var responseHeaders = properties.Strings("response_headers") ?? [];
        var maxRequest = properties.Integer("max_request_bytes", 1, int.MaxValue);
        var maxResponse = properties.Integer("max_response_bytes", 1, int.MaxValue);
        var ignoreUnknown = properties.Bool("ignore_unknown_fields");
        var emitDefaults = properties.Bool("emit_default_values");
        properties.WarnUnknownKeys();

        if (serviceNames is null || serviceNames.Count == 0)
        {
            diagnostics.Error($"{Properties}.grpc_service_names", "required: the services to serve (e.g. [Bookstore] or [example.Bookstore])");
        }
        if (string.IsNullOrEmpty(fileRef))
        {
            diagnostics.Error($"{Properties}.descriptors_file_ref", "required: the file holding the services' FileDescriptorSet (protoc --descriptor_set_out --include_imports)");
        }
        CheckHeaderNames("request_headers", headers, diagnostics);
        CheckHeaderNames("response_headers", responseHeaders, diagnostics);
        if (diagnostics.HasErrors)
        {
            return null;
        }

        if (!context.TryGetFile(fileRef!, out var bytes))
        {
            diagnostics.Error($"{Properties}.descriptors_file_ref", $"descriptors file not found for file ref '{fileRef}'");
            return null;
        }
        var options = new GrpcOptions
        {
            RequestHeaders = new([.. headers.Select(h => h.ToLowerInvariant())]),
            ResponseHeaders = new([.. responseHeaders.Select(h => h.ToLowerInvariant())]),
            MaxRequestBytes = maxRequest ?? GrpcOptions.DefaultMaxMessageBytes,
            MaxResponseBytes = maxResponse ?? GrpcOptions.DefaultMaxMessageBytes,
            IgnoreUnknownFields = ignoreUnknown ?? false,
            EmitDefaultValues = emitDefaults ?? false,
        };
        var key = CompileKey(upstream, bytes, fileRef!, serviceNames!, options);
        if (_compiled.TryGetValue(upstream.Name, out var last) && last.Key == key)
        {
            foreach (var warning in last.Warnings)
            {
                diagnostics.Warning(warning);
            }
            return Serve(cluster, last.Spec);
        }

        var errors = new List<string>();
        var files = DescriptorSetLoader.Load(bytes, fileRef!, errors);
        foreach (var error in errors)
        {
            diagnostics.Error($"{Properties}.descriptors_file_ref", error);
        }
        if (files is null)
        {
            return null;
        }

        var compileDiagnostics = new Diagnostics();
        var spec = GrpcServiceCompiler.Compile(upstream, files, bytes, fileRef!, serviceNames!, options, compileDiagnostics);
        foreach (var error in compileDiagnostics.Errors)
        {
            diagnostics.Error(error);
        }
        foreach (var warning in compileDiagnostics.Warnings)
        {
            diagnostics.Warning(warning);
        }
        if (spec is null || diagnostics.HasErrors)
        {
            return null;
        }
        _compiled[upstream.Name] = new Compiled(key, spec, compileDiagnostics.Warnings);
        return Serve(cluster, spec);
    }

    /// <summary>Header names, or prefixes written like <c>x-*</c>; <c>grpc-*</c> is the protocol's and never listed.</summary>
    private static void CheckHeaderNames(string field, IReadOnlyList<string> names, Diagnostics diagnostics)
    {
        for (var i = 0; i < names.Count; i++)
        {
            var name = names[i];
            var bare = name.EndsWith('*') ? name[..^1] : name;
            if (bare.Length == 0 || bare.Contains('*') || bare.Any(c => c <= ' ' || c == ':' || c > '~'))
            {
                diagnostics.Error($"{Properties}.{field}[{i}]", $"'{name}' is not a header name (or a prefix written like 'x-*')");
            }
            else if (bare.StartsWith("grpc-", StringComparison.OrdinalIgnoreCase))
            {
                diagnostics.Error($"{Properties}.{field}[{i}]", $"'{name}': grpc-* headers are the protocol's own");
            }
        }
    }

    /// <summary>
    /// gRPC is HTTP/2; any function name is looked up by the transcoder, which answers 404 for one
    /// that names no method (with the candidates when a bare name is ambiguous).
    /// </summary>
    private static ClusterPlan Serve(ClusterPlan cluster, GrpcTranscoderSpec spec) =>
        cluster with { Invoker = spec, UseHttp2 = true, AcceptsAnyFunction = true };

    private static string CompileKey(Upstream upstream, ReadOnlyMemory<byte> bytes, string fileRef, IReadOnlyList<string> services, GrpcOptions options)
    {
        var key = new StringBuilder()
            .Append(Convert.ToHexString(SHA256.HashData(bytes.Span))).Append('|').Append(fileRef)
            .Append('|').AppendJoin(',', services)
            .Append('|').Append(options.MaxRequestBytes).Append(',').Append(options.MaxResponseBytes)
            .Append(',').Append(options.IgnoreUnknownFields).Append(',').Append(options.EmitDefaultValues)
            .Append(',').AppendJoin(',', options.RequestHeaders).Append('|').AppendJoin(',', options.ResponseHeaders);
        foreach (var function in upstream.Functions)
        {
            key.Append('|').Append(function.Name).Append(function.Discovered is null ? "=" : "~=").Append(function.Spec.Root.GetRawText());
        }
        return key.ToString();
    }

    private sealed record Compiled(string Key, GrpcTranscoderSpec Spec, IReadOnlyList<string> Warnings);

    /// <summary>Functions of a gRPC upstream are the transcoder's; it checks them against the descriptors.</summary>
    public FunctionSpecResult ParseFunctionSpec(Upstream upstream, UpstreamFunction function, TranslationContext context) =>
        upstream.ServiceInfo is { } service && ServiceTypes.Contains(service.Type, StringComparer.Ordinal)
            ? FunctionSpecResult.Accepted(null)
            : FunctionSpecResult.NotMine;
}
