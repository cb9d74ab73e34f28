namespace Sluice.Api.Codec;

/// <summary>Turns loaded documents into <see cref="DecodedDocument"/>s: one object or one error each.</summary>
internal static class DocumentDecoder
{
    public static IReadOnlyList<DecodedDocument> Read(string text, ConfigKind kind, string source)
    {
        var decoded = new List<DecodedDocument>();
        foreach (var document in YamlLoader.Load(text, source))
        {
            decoded.Add(document.Root is { } root
                ? InItsFolder(Decode(root, kind, source, document.StartLine, document.EndLine), root, kind)
                : Failed(document.Error! with { Kind = kind }, kind, document.StartLine, document.EndLine));
        }
        return decoded;
    }

    public static IReadOnlyList<DecodedDocument> ReadMixed(string text, string source)
    {
        var decoded = new List<DecodedDocument>();
        foreach (var document in YamlLoader.Load(text, source))
        {
            if (document.Root is null)
            {
                decoded.Add(Failed(document.Error!, null, document.StartLine, document.EndLine));
            }
            else if (ConfigureForm.Matches(document.Root))
            {
                decoded.AddRange(ConfigureForm.Expand((MappingNode)document.Root, source));
            }
            else if (InferKind(document.Root) is { } kind)
            {
                decoded.Add(Decode(document.Root, kind, source, document.StartLine, document.EndLine));
            }
            else
            {
                var error = new ReadContext(source, null).Error(document.Root, null,
                    $"expected a mapping holding an upstream or a virtual service, got {document.Root.Description}");
                decoded.Add(Failed(error.Error, null, document.StartLine, document.EndLine));
            }
        }
        return decoded;
    }

    public static DecodedDocument Decode(Node root, ConfigKind kind, string source, int startLine, int endLine)
    {
        var context = new ReadContext(source, kind);
        try
        {
            IConfigObject read = kind == ConfigKind.Upstream
                ? UpstreamReader.Read(context, root)
                : VirtualServiceReader.Read(context, root);
            return new DecodedDocument { Object = read, Kind = kind, Name = read.Name, StartLine = startLine, EndLine = endLine };
        }
        catch (ConfigException e)
        {
            return Failed(e.Error, kind, startLine, endLine) with { Name = context.ObjectName };
        }
    }

    /// <summary>
    /// A document that fails as the kind of its folder but reads as the other kind (by its
    /// <c>kind:</c> or its fields) is in the wrong folder: say that, not "unknown field 'type'".
    /// </summary>
    private static DecodedDocument InItsFolder(DecodedDocument decoded, Node root, ConfigKind folderKind)
    {
        if (decoded.Error is not { } error || root is not MappingNode mapping)
        {
            return decoded;
        }
        var declared = mapping.Entries.FirstOrDefault(e => e.Key.Value == "kind").Value is ScalarNode { Value: var value }
            ? value.Replace("_", "", StringComparison.Ordinal).ToLowerInvariant() switch
            {
                "upstream" => ConfigKind.Upstream,
                "virtualservice" => ConfigKind.VirtualService,
                _ => (ConfigKind?)null,
            }
            : null;
        var kind = declared ?? InferKind(root);
        // Inference defaults to a virtual service; only fields of the other kind (or its kind:)
        // show a wrong folder. A document with neither keeps its own error (an unknown field).
        if (kind is not { } other || other == folderKind || (declared is null && !HasFieldsOf(mapping, other)))
        {
            return decoded;
        }
        return decoded with
        {
            Error = error with
            {
                Field = null,
                Message = $"this is {Article(other)} {other.DisplayName()}, in {folderKind.Plural()}/: {other.DisplayName()}s go in {other.Plural()}/",
            },
        };
    }

    private static bool HasFieldsOf(MappingNode mapping, ConfigKind kind)
    {
        var own = kind == ConfigKind.Upstream ? UpstreamReader.OwnFields : VirtualServiceReader.OwnFields;
        return mapping.Entries.Any(e => own.Contains(e.Key.Value));
    }

    private static string Article(ConfigKind kind) => kind == ConfigKind.Upstream ? "an" : "a";

    public static DecodedDocument Failed(ConfigError error, ConfigKind? kind, int startLine, int endLine) =>
        new() { Error = error, Kind = kind, StartLine = startLine, EndLine = endLine };

    /// <summary>
    /// Gloo's rule is that an upstream has a <c>type</c>. A document with other upstream-only
    /// fields (<c>spec</c>, <c>functions</c>…) and no virtual-service field is taken for an
    /// upstream too, so a forgotten or misspelt type says "type is required" rather than
    /// "spec is not a virtual service field". Everything else is a virtual service.
    /// </summary>
    public static ConfigKind? InferKind(Node root)
    {
        if (root is not MappingNode mapping)
        {
            return null;
        }
        var keys = mapping.Entries.Select(e => e.Key.Value).ToHashSet(StringComparer.Ordinal);
        if (keys.Contains("type")
            || (keys.Overlaps(UpstreamReader.OwnFields) && !keys.Overlaps(VirtualServiceReader.OwnFields)))
        {
            return ConfigKind.Upstream;
        }
        return ConfigKind.VirtualService;
    }
}
