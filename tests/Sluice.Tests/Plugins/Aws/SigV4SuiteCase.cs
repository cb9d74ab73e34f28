using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Sluice.Tests.Plugins.Aws;

/// <summary>
/// One case of AWS's SigV4 test suite (../shared/testdata/aws-sigv4, beside the repository):
/// its inputs read from <c>context.json</c> and <c>request.txt</c>, its expected outputs as files.
/// </summary>
internal sealed class SigV4SuiteCase
{
    private SigV4SuiteCase(string folder) => Folder = folder;

    public string Folder { get; }

    public string Name => Path.GetFileName(Folder);

    public string AccessKey { get; private set; } = "";

    public string SecretKey { get; private set; } = "";

    public string? Token { get; private set; }

    public string Region { get; private set; } = "";

    public string Service { get; private set; } = "";

    public DateTime Timestamp { get; private set; }

    public bool Normalize { get; private set; }

    public bool SignBody { get; private set; }

    public bool OmitSessionToken { get; private set; }

    public string Method { get; private set; } = "";

    public string RequestPath { get; private set; } = "";

    public string Query { get; private set; } = "";

    public List<KeyValuePair<string, string>> Headers { get; } = [];

    public byte[] Body { get; private set; } = [];

    public static string SuiteFolder
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Sluice.slnx")))
            {
                dir = dir.Parent;
            }
            Assert.NotNull(dir);
            return Path.Combine(dir!.FullName, "..", "shared", "testdata", "aws-sigv4");
        }
    }

    public static IEnumerable<object[]> Names() =>
        Directory.GetDirectories(SuiteFolder).Select(d => Path.GetFileName(d)).Order(StringComparer.Ordinal).Select(n => new object[] { n! });

    public string Expected(string file) => File.ReadAllText(Path.Combine(Folder, file));

    public static SigV4SuiteCase Load(string name)
    {
        var test = new SigV4SuiteCase(Path.Combine(SuiteFolder, name));
        using var context = JsonDocument.Parse(File.ReadAllText(Path.Combine(test.Folder, "context.json")));
        var root = context.RootElement;
        var credentials = root.GetProperty("credentials");
        test.AccessKey = credentials.GetProperty("access_key_id").GetString()!;
        test.SecretKey = credentials.GetProperty("secret_access_key").GetString()!;
        test.Token = credentials.TryGetProperty("token", out var token) ? token.GetString() : null;
        test.Region = root.GetProperty("region").GetString()!;
        test.Service = root.GetProperty("service").GetString()!;
        test.Timestamp = DateTime.Parse(root.GetProperty("timestamp").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
        test.Normalize = root.GetProperty("normalize").GetBoolean();
        test.SignBody = root.GetProperty("sign_body").GetBoolean();
        test.OmitSessionToken = root.TryGetProperty("omit_session_token", out var omit) && omit.GetBoolean();
        test.ParseRequest(File.ReadAllBytes(Path.Combine(test.Folder, "request.txt")));
        return test;
    }

    /// <summary>
    /// request.txt is an HTTP/1.1 message written loosely: the target may hold raw spaces and
    /// UTF-8, and a line starting with whitespace continues the previous header's value.
    /// </summary>
    private void ParseRequest(byte[] raw)
    {
        var text = Encoding.UTF8.GetString(raw);
        var headEnd = text.IndexOf("\n\n", StringComparison.Ordinal);
        var head = headEnd < 0 ? text : text[..headEnd];
        Body = headEnd < 0 ? [] : Encoding.UTF8.GetBytes(text[(headEnd + 2)..]);
        var lines = head.Split('\n');
        var requestLine = lines[0];
        var firstSpace = requestLine.IndexOf(' ');
        var lastSpace = requestLine.LastIndexOf(" HTTP/", StringComparison.Ordinal);
        Method = requestLine[..firstSpace];
        var target = requestLine[(firstSpace + 1)..lastSpace];
        var question = target.IndexOf('?');
        RequestPath = question < 0 ? target : target[..question];
        Query = question < 0 ? "" : target[(question + 1)..];
        foreach (var line in lines.Skip(1))
        {
            if (line.Length == 0)
            {
                continue;
            }
            if (line[0] is ' ' or '\t')
            {
                var last = Headers[^1];
                Headers[^1] = new(last.Key, last.Value + "\n" + line);
                continue;
            }
            var colon = line.IndexOf(':');
            Headers.Add(new(line[..colon], line[(colon + 1)..]));
        }
    }

    public override string ToString() => Name;
}
