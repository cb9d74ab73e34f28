using Microsoft.AspNetCore.Http;
using Sluice.Api;

namespace Sluice.Plugins.Rest;

/// <summary>
/// A route's compiled <c>parameters</c> (or a response's <c>response_params</c>): where template
/// variables come from. Extraction never fails a request: a source that is absent or does not
/// match yields "" (§4.2).
/// </summary>
internal sealed record ParameterSet(ValueList<HeaderParameter> Headers, ParameterPattern? Path, bool AddBuiltIns)
{
    /// <summary>Extractions from a request, in the order templates should see them.</summary>
    public (string Name, string Value, bool Matched)[] Extract(HttpRequest request)
    {
        var result = new List<(string, string, bool)>(Headers.Count + 4);
        for (var i = 0; i < Headers.Count; i++)
        {
            var header = Headers[i];
            var value = RequestValue(request, header.Name);
            Extract(header.Pattern, header.Name.TrimStart(':'), value, result);
        }
        if (Path is not null)
        {
            Extract(Path, "path", FullPath(request), result);
        }
        if (AddBuiltIns)
        {
            // envoy-gloo added these whenever parameters were given; user extractions come first and win.
            result.Add(("path", FullPath(request), true));
            result.Add(("method", request.Method, true));
        }
        return [.. result];
    }

    /// <summary>Extractions from response headers (<c>response_params</c>).</summary>
    public (string Name, string Value, bool Matched)[] Extract(IHeaderDictionary headers)
    {
        var result = new List<(string, string, bool)>(Headers.Count);
        for (var i = 0; i < Headers.Count; i++)
        {
            var header = Headers[i];
            var value = headers.TryGetValue(header.Name, out var values) ? values.ToString() : null;
            Extract(header.Pattern, header.Name.TrimStart(':'), value, result);
        }
        return [.. result];
    }

    private static void Extract(ParameterPattern pattern, string wholeName, string? value, List<(string, string, bool)> into)
    {
        if (pattern.Regex is null)
        {
            into.Add((wholeName, value ?? "", value is not null));
            return;
        }
        var match = value is null ? null : pattern.Regex.Match(value);
        for (var i = 0; i < pattern.Names.Length; i++)
        {
            into.Add(match is { Success: true }
                ? (pattern.Names[i], match.Groups[i + 1].Value, true)
                : (pattern.Names[i], "", false));
        }
    }

    private static string? RequestValue(HttpRequest request, string name) => name switch
    {
        ":path" => FullPath(request),
        ":method" => request.Method,
        ":authority" => request.Host.Value,
        _ => request.Headers.TryGetValue(name, out var values) ? values.ToString() : null,
    };

    /// <summary>Envoy's <c>:path</c>: path and query string as the client sent them.</summary>
    private static string FullPath(HttpRequest request) => request.PathBase.Add(request.Path).ToUriComponent() + request.QueryString.ToUriComponent();
}
