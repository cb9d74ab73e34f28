using System.Text;

namespace Sluice.Storage;

/// <summary>Which files in the config folder count, and how object names become file names.</summary>
internal static class FileNames
{
    /// <summary>
    /// Hidden files (also Kubernetes ConfigMap mounts' <c>..data</c> plumbing and our own temp
    /// files) and editor droppings (<c>.#x</c>, <c>x~</c>, <c>#x#</c>, <c>.x.swp</c>) are never config.
    /// </summary>
    public static bool IsIgnored(string fileName) =>
        fileName.Length == 0
        || fileName.StartsWith('.')
        || fileName.EndsWith('~')
        || (fileName.Length > 1 && fileName.StartsWith('#') && fileName.EndsWith('#'))
        || fileName.EndsWith(".swp", StringComparison.OrdinalIgnoreCase)
        || fileName.EndsWith(".swo", StringComparison.OrdinalIgnoreCase)
        || fileName.EndsWith(".swx", StringComparison.OrdinalIgnoreCase)
        || fileName.EndsWith(".tmp", StringComparison.OrdinalIgnoreCase);

    /// <summary>YAML, or JSON (which the YAML reader reads too: JSON is YAML's flow style).</summary>
    public static bool IsObjectFile(string fileName) =>
        fileName.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase)
        || fileName.EndsWith(".yml", StringComparison.OrdinalIgnoreCase)
        || fileName.EndsWith(".json", StringComparison.OrdinalIgnoreCase);

    /// <summary>Notes kept beside the config (a README) are expected there, and not worth a warning.</summary>
    public static bool IsNotes(string fileName) => fileName.StartsWith("README", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// A name made safe as one path segment: letters, digits, <c>-</c>, <c>_</c> and inner dots
    /// stay; anything else (<c>/</c>, <c>..</c>, spaces) becomes <c>%XX</c>, so no name can
    /// escape its folder or hide itself.
    /// </summary>
    public static string Escape(string name)
    {
        var text = new StringBuilder(name.Length);
        var bytes = Encoding.UTF8.GetBytes(name);
        for (var i = 0; i < bytes.Length; i++)
        {
            var b = bytes[i];
            var safe = b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9'
                or (byte)'-' or (byte)'_' || (b == (byte)'.' && i > 0);
            if (safe)
            {
                text.Append((char)b);
            }
            else
            {
                text.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        return text.Length == 0 ? "%" : text.ToString();
    }
}
