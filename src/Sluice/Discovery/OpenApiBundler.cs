using System.Text.Json.Nodes;

namespace Sluice.Discovery;

/// <summary>
/// Inlines every <c>$ref</c> to another file (<c>schemas/pet.json</c>, <c>../common.yaml#/Pet</c>),
/// so that Microsoft.OpenApi — which reads external references only to complete OpenAPI
/// documents — sees one self-contained document. Files are fetched relative to the file that
/// refers to them, from the document's own host only, at most <see cref="MaxFiles"/> of them, each
/// once; a reference inside a fetched file (<c>#/…</c> included) is resolved within that file.
/// References within the main document are left for Microsoft.OpenApi.
/// </summary>
internal sealed class OpenApiBundler(Func<Uri, CancellationToken, Task<byte[]>> fetch)
{
    private const int MaxFiles = 100;
    private const int MaxDepth = 64;

    private readonly Dictionary<string, JsonNode?> _files = new(StringComparer.Ordinal);

    public async Task<JsonNode?> BundleAsync(JsonNode? document, Uri location, CancellationToken cancellationToken)
    {
        _files[Strip(location)] = document;
        return await InlineAsync(document, location, isMain: true, [], cancellationToken).ConfigureAwait(false);
    }

    private async Task<JsonNode?> InlineAsync(JsonNode? node, Uri file, bool isMain, List<string> chain, CancellationToken cancellationToken)
    {
        switch (node)
        {
            case JsonObject obj when obj["$ref"] is JsonValue refValue && refValue.TryGetValue<string>(out var reference)
                && !(isMain && reference.StartsWith('#')):
                return await ResolveAsync(reference, file, chain, cancellationToken).ConfigureAwait(false);
            case JsonObject obj:
                var copy = new JsonObject();
                foreach (var (key, value) in obj.ToList())
                {
                    copy[key] = await InlineAsync(value, file, isMain, chain, cancellationToken).ConfigureAwait(false);
                }
                return copy;
            case JsonArray array:
                var items = new JsonArray();
                foreach (var item in array.ToList())
                {
                    items.Add(await InlineAsync(item, file, isMain, chain, cancellationToken).ConfigureAwait(false));
                }
                return items;
            default:
                return node?.DeepClone();
        }
    }

    private async Task<JsonNode?> ResolveAsync(string reference, Uri from, List<string> chain, CancellationToken cancellationToken)
    {
        var hash = reference.IndexOf('#');
        var filePart = hash < 0 ? reference : reference[..hash];
        var pointer = hash < 0 ? "" : Uri.UnescapeDataString(reference[(hash + 1)..]);
        var target = filePart.Length == 0 ? from : new Uri(from, filePart);
        var key = Strip(target) + "#" + pointer;
        if (chain.Contains(key) || chain.Count >= MaxDepth)
        {
            throw new DiscoveryException($"$ref '{reference}' (in {from.AbsolutePath}) is circular through other files; such documents are not supported");
        }
        var document = await LoadAsync(target, reference, from, cancellationToken).ConfigureAwait(false);
        var fragment = Pointer(document, pointer)
            ?? throw new DiscoveryException($"$ref '{reference}' (in {from.AbsolutePath}) cannot be resolved: {target.AbsolutePath} has nothing at '#{pointer}'");
        chain.Add(key);
        try
        {
            return await InlineAsync(fragment, target, isMain: false, chain, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            chain.RemoveAt(chain.Count - 1);
        }
    }

    private async Task<JsonNode?> LoadAsync(Uri target, string reference, Uri from, CancellationToken cancellationToken)
    {
        var fileKey = Strip(target);
        if (_files.TryGetValue(fileKey, out var cached))
        {
            return cached;
        }
        if (_files.Count >= MaxFiles)
        {
            throw new DiscoveryException($"the document refers to more than {MaxFiles} files");
        }
        byte[] bytes;
        try
        {
            bytes = await fetch(target, cancellationToken).ConfigureAwait(false);
        }
        catch (DiscoveryException exception)
        {
            throw new DiscoveryException($"$ref '{reference}' (in {from.AbsolutePath}) cannot be resolved: {exception.Message}");
        }
        var document = JsonOrYaml.Parse(bytes, target.ToString());
        _files[fileKey] = document;
        return document;
    }

    /// <summary>The node at a JSON pointer (<c>/components/schemas/Pet</c>; empty = the whole document).</summary>
    private static JsonNode? Pointer(JsonNode? document, string pointer)
    {
        var node = document;
        foreach (var raw in pointer.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var part = raw.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            node = node switch
            {
                JsonObject obj => obj[part],
                JsonArray array when int.TryParse(part, out var index) && index >= 0 && index < array.Count => array[index],
                _ => null,
            };
            if (node is null)
            {
                return null;
            }
        }
        return node;
    }

    private static string Strip(Uri uri) => uri.GetLeftPart(UriPartial.Query);
}
