using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Sluice.Plugins.Rest.Templates;

/// <summary>
/// Everything one request offers its templates: extractions from route parameters, the body
/// (parsed as JSON only when a variable lookup reaches it), and headers for <c>header()</c>.
/// </summary>
internal sealed class TemplateInput(IHeaderDictionary headers, (string Name, string Value, bool Matched)[] extractions, ReadOnlyMemory<byte> body, string bodyName = "request") : IDisposable
{
    private JsonDocument? _json;
    private string? _bodyError;

    public static TemplateInput Empty(IHeaderDictionary headers) => new(headers, [], ReadOnlyMemory<byte>.Empty);

    /// <summary>A header's value, or "" when absent (envoy-gloo's <c>header()</c>).</summary>
    public string Header(string name) => headers.TryGetValue(name, out var value) ? value.ToString() : "";

    /// <summary><c>extraction("name")</c>: the extracted value, or "" when nothing matched.</summary>
    public string Extraction(string name)
    {
        foreach (var extraction in extractions)
        {
            if (extraction.Name == name)
            {
                return extraction.Value;
            }
        }
        return "";
    }

    /// <summary>
    /// Resolves a template variable as envoy-gloo's non-advanced mode did (extractions written over
    /// the JSON body), except that an extraction that matched nothing does not hide a body field
    /// of the same name: it only supplies "" when the body has none.
    /// </summary>
    public object? Resolve(string name, string[] segments)
    {
        foreach (var extraction in extractions)
        {
            if (extraction.Matched && extraction.Name == name)
            {
                return extraction.Value;
            }
        }
        if (!body.IsEmpty)
        {
            object? value = Json();
            for (var i = 0; i < segments.Length && value is not TemplateValues.Missing; i++)
            {
                value = TemplateValues.Member(value, segments[i], name);
            }
            if (value is not TemplateValues.Missing)
            {
                return value;
            }
        }
        foreach (var extraction in extractions)
        {
            if (extraction.Name == name)
            {
                return extraction.Value;
            }
        }
        return new TemplateValues.Missing(name);
    }

    public void Dispose() => _json?.Dispose();

    private JsonElement Json()
    {
        if (_json is null && _bodyError is null)
        {
            try
            {
                _json = JsonDocument.Parse(body);
            }
            catch (JsonException e)
            {
                _bodyError = e.Message;
            }
        }
        return _json is not null
            ? _json.RootElement
            : throw new TemplateRenderException(TemplateRenderException.BadBodyCode, $"the {bodyName} body is not JSON, but a template reads variables from it: {_bodyError}");
    }
}
