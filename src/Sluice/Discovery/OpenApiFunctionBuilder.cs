using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using Sluice.Api;

namespace Sluice.Discovery;

/// <summary>
/// Turns an OpenAPI document into REST function specs (reference §3.3): one function per
/// operation, named by its <c>operationId</c> (else method and path, <c>get.pets.id</c>); a
/// <c>path</c> template with the server's base path, path parameters and query parameters; a
/// <c>:method</c> header, one header per header parameter; a JSON body template from the body
/// schema's properties. Optional parameters render <c>default(x, …)</c>, so leaving them out is
/// not an error; required ones must be supplied. An operation that cannot become a function is
/// skipped with a problem saying why.
/// </summary>
internal static class OpenApiFunctionBuilder
{
    private const int MaxBodyDepth = 8;

    public static (IReadOnlyList<UpstreamFunction> Functions, IReadOnlyList<string> Problems) Build(OpenApiDocument document)
    {
        var functions = new SortedDictionary<string, UpstreamFunction>(StringComparer.Ordinal);
        var problems = new List<string>();
        var basePath = BasePath(document);
        foreach (var (path, item) in document.Paths ?? [])
        {
            if (item is OpenApiPathItemReference { Target: null } reference)
            {
                problems.Add($"path {path}: unresolvable $ref '{reference.Reference.ReferenceV3}'");
                continue;
            }
            foreach (var (method, operation) in item.Operations ?? [])
            {
                var verb = method.Method.ToUpperInvariant();
                var name = string.IsNullOrWhiteSpace(operation.OperationId) ? NameFromPath(verb, path) : operation.OperationId;
                var where = $"operation {verb} {path} ({name})";
                try
                {
                    var spec = Spec(basePath + path, verb, item.Parameters, operation);
                    if (!functions.TryAdd(name, new UpstreamFunction { Name = name, Spec = spec }))
                    {
                        problems.Add($"{where}: skipped, another operation has the same name");
                    }
                }
                catch (DiscoveryException exception)
                {
                    problems.Add($"{where}: skipped, {exception.Message}");
                }
            }
        }
        return ([.. functions.Values], problems);
    }

    /// <summary><c>get</c> + path with <c>/</c> as <c>.</c> and no braces: <c>GET /pets/{id}</c> is <c>get.pets.id</c>.</summary>
    private static string NameFromPath(string verb, string path) =>
        verb.ToLowerInvariant() + path.Replace('/', '.').Replace("{", "", StringComparison.Ordinal).Replace("}", "", StringComparison.Ordinal).TrimEnd('.');

    /// <summary>The path of the first server (Swagger 2.0's <c>basePath</c> arrives as one), without a trailing slash.</summary>
    private static string BasePath(OpenApiDocument document)
    {
        var url = document.Servers?.FirstOrDefault()?.Url;
        if (string.IsNullOrEmpty(url) || url.Contains('{'))
        {
            return "";
        }
        var path = Uri.TryCreate(url, UriKind.Absolute, out var absolute) ? absolute.AbsolutePath : url;
        return path.StartsWith('/') ? path.TrimEnd('/') : "";
    }

    private static Struct Spec(string path, string verb, IList<IOpenApiParameter>? shared, OpenApiOperation operation)
    {
        var parameters = Parameters(shared, operation.Parameters);
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        var pathTemplate = new StringBuilder();
        var query = new StringBuilder();
        var headers = new JsonObject { [":method"] = verb };
        foreach (var parameter in parameters)
        {
            var location = parameter.In ?? ParameterLocation.Query;
            var variable = Variable(parameter.Name!);
            if (variables.TryGetValue(variable, out var other))
            {
                throw new DiscoveryException($"parameter clash: '{parameter.Name}' ({Describe(location)}) and a {other} parameter both become template variable '{variable}'");
            }
            variables[variable] = Describe(location);
            var value = parameter.Required || location == ParameterLocation.Path ? $"{{{{ {variable} }}}}" : $"{{{{ default({variable}, \"\") }}}}";
            switch (location)
            {
                case ParameterLocation.Query:
                    query.Append(query.Length == 0 ? '?' : '&').Append(Uri.EscapeDataString(parameter.Name!)).Append('=').Append(value);
                    break;
                case ParameterLocation.Header:
                    headers[parameter.Name!.ToLowerInvariant()] = value;
                    break;
                case ParameterLocation.Path:
                    break;
                default:
                    throw new DiscoveryException($"parameter '{parameter.Name}' is in a {Describe(location)}, which a function template cannot set");
            }
        }
        pathTemplate.Append(PathTemplate(path, variables));
        pathTemplate.Append(query);

        var spec = new JsonObject { ["path"] = pathTemplate.ToString(), ["headers"] = headers };
        if (operation.RequestBody is { } body)
        {
            if (body is OpenApiRequestBodyReference { Target: null } unresolved)
            {
                throw new DiscoveryException($"unresolvable $ref '{unresolved.Reference.ReferenceV3}' for its request body");
            }
            var content = body.Content ?? new Dictionary<string, IOpenApiMediaType>();
            var json = content.FirstOrDefault(c => IsJson(c.Key));
            if (json.Key is null)
            {
                if (content.Count > 0)
                {
                    throw new DiscoveryException($"its request body is {string.Join(" or ", content.Keys)}; only JSON bodies (or none) become functions");
                }
            }
            else
            {
                headers["content-type"] = "application/json";
                if (json.Value?.Schema is { } schema && BodyTemplate(schema, "", 0) is { } template)
                {
                    spec["body"] = template;
                }
            }
        }
        return new Struct(JsonDocument.Parse(spec.ToJsonString()).RootElement.Clone());
    }

    /// <summary>Operation parameters override path-level ones with the same name and location.</summary>
    private static List<IOpenApiParameter> Parameters(IList<IOpenApiParameter>? shared, IList<IOpenApiParameter>? own)
    {
        var result = new List<IOpenApiParameter>();
        foreach (var parameter in (own ?? []).Concat(shared ?? []))
        {
            if (parameter is OpenApiParameterReference { Target: null } unresolved)
            {
                throw new DiscoveryException($"unresolvable $ref '{unresolved.Reference.ReferenceV3}' for a parameter");
            }
            if (string.IsNullOrEmpty(parameter.Name))
            {
                throw new DiscoveryException("a parameter has no name");
            }
            if (!result.Any(p => p.Name == parameter.Name && p.In == parameter.In))
            {
                result.Add(parameter);
            }
        }
        return result;
    }

    private static string PathTemplate(string path, Dictionary<string, string> variables)
    {
        var text = new StringBuilder(path.Length + 16);
        for (var i = 0; i < path.Length; i++)
        {
            if (path[i] == '{' && path.IndexOf('}', i) is var end and > 0)
            {
                var variable = Variable(path[(i + 1)..end]);
                if (!variables.ContainsKey(variable))
                {
                    throw new DiscoveryException($"path parameter '{path[(i + 1)..end]}' is not declared");
                }
                text.Append("{{ ").Append(variable).Append(" }}");
                i = end;
            }
            else
            {
                text.Append(path[i]);
            }
        }
        return text.ToString();
    }

    /// <summary>
    /// <c>{"name": "{{ default(name, "") }}", "id": {{ default(id, "null") }}}</c>: strings quoted,
    /// other values raw (a missing one becomes JSON <c>null</c>), nested objects with dotted names;
    /// null when the schema has no properties (the client's body then passes through).
    /// </summary>
    private static string? BodyTemplate(IOpenApiSchema schema, string prefix, int depth)
    {
        if (schema is OpenApiSchemaReference { Target: null } unresolved)
        {
            throw new DiscoveryException($"unresolvable $ref '{unresolved.Reference.ReferenceV3}' in its request body");
        }
        if (schema.Properties is not { Count: > 0 } properties || depth > MaxBodyDepth)
        {
            return null;
        }
        var parts = new List<string>();
        foreach (var (name, property) in properties.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var variable = prefix + Variable(name);
            var nested = IsObject(property) ? BodyTemplate(property, variable + ".", depth + 1) : null;
            var value = nested
                ?? (IsString(property) ? $"\"{{{{ default({variable}, \"\") }}}}\"" : $"{{{{ default({variable}, \"null\") }}}}");
            parts.Add($"{JsonSerializer.Serialize(name)}: {value}");
        }
        return "{" + string.Join(", ", parts) + "}";
    }

    private static bool IsObject(IOpenApiSchema schema) =>
        schema is not OpenApiSchemaReference { Target: null } && schema.Properties is { Count: > 0 };

    private static bool IsString(IOpenApiSchema schema) =>
        schema is not OpenApiSchemaReference { Target: null } && schema.Type is { } type && type.HasFlag(JsonSchemaType.String);

    private static bool IsJson(string mediaType) =>
        mediaType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase)
        || mediaType.Contains("+json", StringComparison.OrdinalIgnoreCase)
        || mediaType == "*/*";

    /// <summary>A template variable name: letters, digits, <c>_</c>, <c>-</c>; anything else becomes <c>_</c>.</summary>
    private static string Variable(string name)
    {
        var text = new StringBuilder(name.Length + 1);
        if (name.Length == 0 || !(char.IsAsciiLetter(name[0]) || name[0] == '_'))
        {
            text.Append('_');
        }
        foreach (var c in name)
        {
            text.Append(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' ? c : '_');
        }
        return text.ToString();
    }

    private static string Describe(ParameterLocation location) => location.ToString().ToLowerInvariant();
}
