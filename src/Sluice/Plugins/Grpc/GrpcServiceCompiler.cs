using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;
using Google.Api;
using Google.Protobuf.Reflection;
using Sluice.Api;
using Sluice.Plugins.Grpc.Codec;
using Sluice.Translation;

namespace Sluice.Plugins.Grpc;

/// <summary>
/// Compiles an upstream's descriptors into a <see cref="GrpcTranscoderSpec"/>: resolves
/// <c>grpc_service_names</c>, builds the codecs, names every method for Gloo's mapping, reads
/// the upstream's own function specs, and compiles the <c>google.api.http</c> rules. Problems
/// are reported against the field that caused them.
/// </summary>
internal static class GrpcServiceCompiler
{
    private const string Properties = "service_info.properties";

    public static GrpcTranscoderSpec? Compile(Upstream upstream, IReadOnlyList<FileDescriptor> files, ReadOnlyMemory<byte> descriptorBytes,
        string fileRef, IReadOnlyList<string> serviceNames, GrpcOptions options, Diagnostics diagnostics)
    {
        var services = ResolveServices(files, serviceNames, fileRef, diagnostics);
        if (services is null)
        {
            return null;
        }
        ProtoCodecSet codecs;
        try
        {
            codecs = ProtoCodecSet.Compile(files);
        }
        catch (Exception e) when (e is ProtoJsonException or NotSupportedException or InvalidOperationException or ArgumentException)
        {
            diagnostics.Error($"{Properties}.descriptors_file_ref", $"file '{fileRef}': the messages cannot be transcoded: {e.Message}");
            return null;
        }

        var methods = new List<GrpcMethod>();
        foreach (var service in services)
        {
            foreach (var method in service.Methods)
            {
                methods.Add(new GrpcMethod(method, codecs.Get(method.InputType.FullName), codecs.Get(method.OutputType.FullName)));
            }
        }

        var functions = new Dictionary<string, HttpBinding>(StringComparer.Ordinal);
        var bareNames = new Dictionary<string, List<GrpcMethod>>(StringComparer.Ordinal);
        foreach (var method in methods)
        {
            var whole = new HttpBinding { Method = method, Body = BodyMapping.Message };
            functions[$"{method.Descriptor.Service.Name}.{method.Descriptor.Name}"] = whole;
            functions[method.FullName] = whole;
            if (!bareNames.TryGetValue(method.Descriptor.Name, out var list))
            {
                bareNames[method.Descriptor.Name] = list = [];
            }
            list.Add(method);
        }
        var ambiguous = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, list) in bareNames)
        {
            if (list.Count == 1)
            {
                functions.TryAdd(name, functions[list[0].FullName]);
            }
            else
            {
                ambiguous[name] = string.Join(", ", list.Select(m => $"{m.Descriptor.Service.Name}.{m.Descriptor.Name}"));
            }
        }

        var declared = ReadFunctions(upstream, functions, ambiguous, diagnostics);
        foreach (var (name, binding) in declared)
        {
            functions[name] = binding;
        }
        var rules = CompileRules(methods, diagnostics);

        var fingerprint = new StringBuilder()
            .Append(Convert.ToHexString(SHA256.HashData(descriptorBytes.Span)))
            .Append('|').AppendJoin(',', services.Select(s => s.FullName))
            .Append('|').AppendJoin(',', declared.OrderBy(d => d.Key, StringComparer.Ordinal).Select(d => $"{d.Key}={d.Value.Method.FullName}"));
        return new GrpcTranscoderSpec
        {
            Upstream = upstream.Name,
            Fingerprint = fingerprint.ToString(),
            Options = options,
            Codecs = codecs,
            Functions = functions.ToFrozenDictionary(StringComparer.Ordinal),
            Ambiguous = ambiguous.ToFrozenDictionary(StringComparer.Ordinal),
            Rules = rules,
        };
    }

    /// <summary>Each name is a full name (<c>pkg.Service</c>) or, as Gloo wrote them, a short one that must be unique.</summary>
    private static List<ServiceDescriptor>? ResolveServices(IReadOnlyList<FileDescriptor> files, IReadOnlyList<string> names, string fileRef, Diagnostics diagnostics)
    {
        var all = files.SelectMany(f => f.Services).ToList();
        var resolved = new List<ServiceDescriptor>();
        for (var i = 0; i < names.Count; i++)
        {
            var name = names[i];
            var field = $"{Properties}.grpc_service_names[{i}]";
            var matches = all.Where(s => s.FullName == name).ToList();
            if (matches.Count == 0)
            {
                matches = [.. all.Where(s => s.Name == name)];
            }
            switch (matches.Count)
            {
                case 1 when resolved.Contains(matches[0]):
                    diagnostics.Warning(field, $"service '{name}' is listed twice");
                    break;
                case 1:
                    resolved.Add(matches[0]);
                    break;
                case 0:
                    var known = all.Count == 0 ? "none" : string.Join(", ", all.Select(s => s.FullName).Order(StringComparer.Ordinal));
                    diagnostics.Error(field, $"unknown service '{name}': file '{fileRef}' defines {known}");
                    break;
                default:
                    diagnostics.Error(field, $"service name '{name}' is ambiguous: {string.Join(", ", matches.Select(s => s.FullName))}; write the full name");
                    break;
            }
        }
        return diagnostics.HasErrors ? null : resolved;
    }

    /// <summary>
    /// The upstream's own functions (written by discovery or the user): a spec naming
    /// <c>service</c> and <c>method</c> (discovery's shape) binds the function's name to that
    /// method; a function without one must be named as Gloo's mapping names methods.
    /// </summary>
    private static Dictionary<string, HttpBinding> ReadFunctions(Upstream upstream, Dictionary<string, HttpBinding> byName,
        Dictionary<string, string> ambiguous, Diagnostics diagnostics)
    {
        var declared = new Dictionary<string, HttpBinding>(StringComparer.Ordinal);
        for (var i = 0; i < upstream.Functions.Count; i++)
        {
            var function = upstream.Functions[i];
            var problems = new Diagnostics();
            var spec = new SpecReader(function.Spec, "spec", problems);
            var service = spec.String("service");
            var method = spec.String("method");
            var inputType = spec.String("input_type");
            var outputType = spec.String("output_type");
            spec.WarnUnknownKeys();

            HttpBinding? binding = null;
            if (service is not null || method is not null)
            {
                if (service is null || method is null)
                {
                    problems.Error("spec", "give both 'service' and 'method', or neither (the function's name then names the method)");
                }
                // service is a full name (discovery writes those) or a short one: both are keys.
                else if (byName.TryGetValue($"{service}.{method}", out var found))
                {
                    binding = found;
                }
                else
                {
                    problems.Error("spec", $"method '{service}.{method}' is not a method of the services in grpc_service_names");
                }
            }
            else if (ambiguous.TryGetValue(function.Name, out var candidates))
            {
                problems.Error("name", $"method name '{function.Name}' is defined by several services ({candidates}): name one, or give spec.service and spec.method");
            }
            else if (!byName.TryGetValue(function.Name, out binding))
            {
                problems.Error("name", $"'{function.Name}' is not a method of the services in grpc_service_names (name it Method or Service.Method)");
            }
            if (binding is not null)
            {
                if (inputType is not null && inputType.TrimStart('.') != binding.Method.Descriptor.InputType.FullName)
                {
                    problems.Error("spec.input_type", $"'{inputType}', but the descriptors say '{binding.Method.Descriptor.InputType.FullName}'");
                }
                if (outputType is not null && outputType.TrimStart('.') != binding.Method.Descriptor.OutputType.FullName)
                {
                    problems.Error("spec.output_type", $"'{outputType}', but the descriptors say '{binding.Method.Descriptor.OutputType.FullName}'");
                }
            }

            var where = $"functions[{i}] ({function.Name})";
            foreach (var problem in problems.Errors)
            {
                if (function.Discovered is { } origin)
                {
                    diagnostics.Warning($"functions ({function.Name})", $"discovered function not served (from {origin.Source}): {problem}");
                }
                else
                {
                    diagnostics.Error(where, problem);
                }
            }
            foreach (var warning in problems.Warnings)
            {
                diagnostics.Warning(where, warning);
            }
            if (binding is not null && !problems.HasErrors)
            {
                declared[function.Name] = binding;
            }
        }
        return declared;
    }

    /// <summary>
    /// A rule that does not compile is left out with a warning naming the method: the
    /// descriptors are the service's, and its other methods (and Gloo's mapping) still serve.
    /// </summary>
    private static HttpRuleTable CompileRules(List<GrpcMethod> methods, Diagnostics diagnostics)
    {
        var bindings = new List<HttpBinding>();
        foreach (var method in methods)
        {
            var rule = method.Descriptor.GetOptions()?.GetExtension(AnnotationsExtensions.Http);
            if (rule is null)
            {
                continue;
            }
            foreach (var each in rule.AdditionalBindings.Prepend(rule))
            {
                try
                {
                    bindings.Add(Compile(method, each));
                }
                catch (Exception e) when (e is FormatException or ProtoJsonException)
                {
                    diagnostics.Warning($"{Properties}.descriptors_file_ref", $"method {method.FullName}: google.api.http rule left out: {e.Message}");
                }
            }
        }
        return new HttpRuleTable(bindings);
    }

    private static HttpBinding Compile(GrpcMethod method, HttpRule rule)
    {
        var (verb, path) = rule.PatternCase switch
        {
            HttpRule.PatternOneofCase.Get => ("GET", rule.Get),
            HttpRule.PatternOneofCase.Put => ("PUT", rule.Put),
            HttpRule.PatternOneofCase.Post => ("POST", rule.Post),
            HttpRule.PatternOneofCase.Delete => ("DELETE", rule.Delete),
            HttpRule.PatternOneofCase.Patch => ("PATCH", rule.Patch),
            HttpRule.PatternOneofCase.Custom => (rule.Custom.Kind.ToUpperInvariant(), rule.Custom.Path),
            _ => throw new FormatException("the rule has no pattern (get, put, post, delete, patch or custom)"),
        };
        var template = PathTemplate.Parse(path);
        var body = rule.Body switch
        {
            "" => BodyMapping.None,
            "*" => BodyMapping.Message,
            _ => BodyMapping.Field,
        };
        if (method.ClientStreaming && body != BodyMapping.Message)
        {
            throw new FormatException($"{verb} {path}: a client-streaming method takes its messages from the body, so its rule needs body: \"*\"");
        }
        return new HttpBinding
        {
            Method = method,
            Verb = verb,
            Template = template,
            Variables = [.. template.Variables.Select(v => method.Input.CompileFieldPath(v.FieldPath))],
            Body = body,
            BodyField = body == BodyMapping.Field ? method.Input.CompileFieldPath(rule.Body) : null,
            ResponseBody = rule.ResponseBody.Length > 0 ? method.Output.CompileFieldPath(rule.ResponseBody) : null,
            QueryParameters = body != BodyMapping.Message,
        };
    }
}
