using System.CommandLine;
using System.CommandLine.Parsing;
using Sluice.Api;

namespace Sluice.Cli.Commands;

/// <summary>The object kind argument: plural, singular or short, as in glooctl and kubectl.</summary>
internal static class KindArgument
{
    private const string Accepted = "upstreams (upstream, us) or virtualservices (virtualservice, vs)";

    public static Argument<ConfigKind> Create()
    {
        var argument = Build();
        // The enum's own names (Upstream, VirtualService) are not what users type.
        argument.CompletionSources.Clear();
        argument.CompletionSources.Add("upstreams", "virtualservices", "us", "vs");
        return argument;
    }

    private static Argument<ConfigKind> Build() => new("kind")
    {
        Description = $"What to act on: {Accepted}",
        HelpName = "upstreams|virtualservices",
        CustomParser = result =>
        {
            var token = result.Tokens[0].Value;
            if (token.StartsWith('-'))
            {
                // An unknown flag where the kind belongs lands here; call it what it is.
                result.AddError($"unknown option '{token}'");
                return default;
            }
            if (TryParse(token, out var kind))
            {
                return kind;
            }
            result.AddError($"unknown kind '{token}': expected {Accepted}");
            return default;
        },
    };

    /// <summary>
    /// A validator for name arguments: an unknown flag where a name belongs would otherwise be
    /// taken as the name and end in a confusing "not found".
    /// </summary>
    public static void RejectFlags(ArgumentResult result)
    {
        foreach (var token in result.Tokens)
        {
            if (token.Value.StartsWith('-'))
            {
                result.AddError($"unknown option '{token.Value}'");
            }
        }
    }

    public static bool TryParse(string text, out ConfigKind kind)
    {
        switch (text.ToLowerInvariant())
        {
            case "upstreams" or "upstream" or "us":
                kind = ConfigKind.Upstream;
                return true;
            case "virtualservices" or "virtualservice" or "vs" or "virtual-services" or "virtual-service":
                kind = ConfigKind.VirtualService;
                return true;
            default:
                kind = default;
                return false;
        }
    }

    /// <summary>How output names an object: <c>upstream/x</c>, <c>virtualservice/x</c>.</summary>
    public static string Reference(ConfigKind kind, string name) => $"{Singular(kind)}/{name}";

    public static string Singular(ConfigKind kind) => kind switch
    {
        ConfigKind.Upstream => "upstream",
        ConfigKind.VirtualService => "virtualservice",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
