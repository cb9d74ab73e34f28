namespace Sluice.Api.Codec;

/// <summary>Reads the <c>metadata</c> and <c>status</c> blocks every top-level object may carry.</summary>
internal static class MetadataReader
{

    public static Metadata ReadMetadata(ReadContext context, Node node, string path)
    {
        var map = MappingReader.Open(context, node, path, Shapes.Metadata);
        return new Metadata
        {
            ResourceVersion = map.String("resource_version"),
            Namespace = map.String("namespace"),
            Annotations = map.StringMap("annotations"),
        };
    }

    /// <summary>Sluice writes status; reading it back lets <c>-o yaml</c> output round-trip.</summary>
    public static Status ReadStatus(ReadContext context, Node node, string path)
    {
        var map = MappingReader.Open(context, node, path, Shapes.Status);
        var state = StatusState.Pending;
        if (map.String("state") is { } text)
        {
            // Names as jsonpb writes enums, or the enum numbers it also accepts.
            if (Enum.GetNames<StatusState>().Contains(text, StringComparer.Ordinal))
            {
                state = Enum.Parse<StatusState>(text);
            }
            else if (int.TryParse(text, System.Globalization.NumberStyles.None, null, out var number) && Enum.IsDefined((StatusState)number))
            {
                state = (StatusState)number;
            }
            else
            {
                throw context.Error(map.Get("state")!, map.Path("state"),
                    $"unknown state '{text}' (expected one of: {string.Join(", ", Enum.GetNames<StatusState>())})");
            }
        }
        return new Status(state, map.String("reason"));
    }
}
