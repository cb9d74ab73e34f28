using System.CommandLine;
using Sluice.Cli.Commands;

namespace Sluice.Cli.Admin;

/// <summary><c>--admin-url URL</c>: the running gateway's admin API, for <c>check</c>, <c>proxy</c> and <c>get</c>.</summary>
internal sealed class AdminFlags
{
    public const string DefaultUrl = "http://127.0.0.1:19000";

    public Option<string?> Url { get; } = new("--admin-url")
    {
        Description = $"The gateway's admin API [env: {EnvironmentFallback.VariableFor("--admin-url")}; default: {DefaultUrl}]",
        HelpName = "URL",
    };

    public AdminClient Open(ParseResult parseResult, CliContext context)
    {
        var text = EnvironmentFallback.Get(parseResult, Url, context) ?? DefaultUrl;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new CliException($"{EnvironmentFallback.SourceOf(parseResult, Url, context)}: '{text}' is not an admin URL (e.g. {DefaultUrl})");
        }
        return new AdminClient(uri);
    }
}
