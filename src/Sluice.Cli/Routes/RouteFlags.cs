using System.CommandLine;
using System.Globalization;
using Sluice.Api;
using Sluice.Api.Codec;

namespace Sluice.Cli.Routes;

/// <summary>
/// glooctl's route flags (reference §7): a matcher (<c>--path-exact|--path-prefix|--path-regex</c>
/// or <c>--event</c>, with <c>--http-method</c>, <c>--header</c>, <c>--query</c>), a destination
/// (<c>--upstream</c> [<c>--function</c>], or weighted <c>--dest upstream[:function]=weight</c>,
/// repeated), <c>--prefix-rewrite</c> and <c>--extensions FILE|-</c>.
/// </summary>
internal sealed class RouteFlags
{
    public Option<string?> PathExact { get; } = new("--path-exact") { Description = "Match this exact path", HelpName = "PATH" };

    public Option<string?> PathPrefix { get; } = new("--path-prefix") { Description = "Match paths starting with this", HelpName = "PATH" };

    public Option<string?> PathRegex { get; } = new("--path-regex") { Description = "Match paths against this regex (whole path)", HelpName = "REGEX" };

    public Option<string?> Event { get; } = new("--event", "-e") { Description = "Match CloudEvents of this type (POST /events)", HelpName = "TYPE" };

    public Option<string[]> HttpMethod { get; } = new("--http-method") { Description = "Methods to match, comma-separated (GET,POST)", HelpName = "METHODS", AllowMultipleArgumentsPerToken = false };

    public Option<string[]> Header { get; } = new("--header") { Description = "Headers to match: 'name:value,name2' (a value with .* is a regex; no value: present)", HelpName = "NAME[:VALUE],…" };

    public Option<string[]> Query { get; } = new("--query") { Description = "Query parameters to match: 'name=value,name2' (same rules as --header)", HelpName = "NAME[=VALUE],…" };

    public Option<string?> Upstream { get; } = new("--upstream", "-u") { Description = "Destination upstream", HelpName = "UPSTREAM" };

    public Option<string?> Function { get; } = new("--function") { Description = "Function of --upstream to call", HelpName = "FUNCTION" };

    public Option<string[]> Dest { get; } = new("--dest") { Description = "Weighted destination, repeated: upstream[:function]=weight", HelpName = "UPSTREAM[:FUNCTION]=WEIGHT" };

    public Option<string?> PrefixRewrite { get; } = new("--prefix-rewrite") { Description = "Replace the matched prefix with this", HelpName = "PATH" };

    public Option<string?> Extensions { get; } = new("--extensions") { Description = "Route extensions (timeout, retries, cors, …) from a YAML file; - reads stdin", HelpName = "FILE" };

    public IEnumerable<Option> Matchers => [PathExact, PathPrefix, PathRegex, Event, HttpMethod, Header, Query];

    public IEnumerable<Option> All => [.. Matchers, Upstream, Function, Dest, PrefixRewrite, Extensions];

    public bool HasMatcher(ParseResult parseResult) => Matchers.Any(o => parseResult.GetResult(o) is { Implicit: false });

    public bool HasDestination(ParseResult parseResult) => new Option[] { Upstream, Function, Dest }.Any(o => parseResult.GetResult(o) is { Implicit: false });

    /// <summary>The matcher the flags describe: a request matcher or an event matcher.</summary>
    public (RequestMatcher? Request, EventMatcher? Event) Matcher(ParseResult parseResult)
    {
        var paths = new[] { (PathExact, "--path-exact"), (PathPrefix, "--path-prefix"), (PathRegex, "--path-regex") }
            .Where(p => parseResult.GetValue(p.Item1) is not null).ToList();
        if (paths.Count > 1)
        {
            throw new CliException($"{paths[0].Item2} and {paths[1].Item2} cannot go together: a route matches one kind of path");
        }
        var verbs = Split(parseResult.GetValue(HttpMethod)).Select(v => v.ToUpperInvariant()).ToList();
        var headers = Pairs(parseResult.GetValue(Header), ':', "--header");
        var query = Pairs(parseResult.GetValue(Query), '=', "--query");
        if (parseResult.GetValue(Event) is { } eventType)
        {
            if (paths.Count > 0 || verbs.Count > 0 || headers.Count > 0 || query.Count > 0)
            {
                throw new CliException("--event matches events, not requests: it takes no --path-*, --http-method, --header or --query");
            }
            return (null, new EventMatcher { EventType = eventType });
        }
        if (paths.Count == 0 && verbs.Count == 0 && headers.Count == 0 && query.Count == 0)
        {
            throw new CliException("a route needs a matcher: --path-prefix, --path-exact, --path-regex or --event (plus --http-method, --header, --query)");
        }
        var exact = parseResult.GetValue(PathExact);
        var prefix = parseResult.GetValue(PathPrefix);
        var regex = parseResult.GetValue(PathRegex);
        foreach (var (path, flag) in new[] { (exact, "--path-exact"), (prefix, "--path-prefix") })
        {
            if (path is not null && !path.StartsWith('/'))
            {
                throw new CliException($"{flag}: '{path}' must start with '/'");
            }
        }
        if (regex is not null)
        {
            try
            {
                _ = new System.Text.RegularExpressions.Regex(regex, System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1));
            }
            catch (ArgumentException e)
            {
                throw new CliException($"--path-regex: '{regex}' is not a regex: {e.Message}");
            }
        }
        return (new RequestMatcher
        {
            PathExact = exact,
            // Headers, methods or query alone match every path, as Gloo's default prefix "/" did.
            PathPrefix = prefix ?? (exact is null && regex is null ? "/" : null),
            PathRegex = regex,
            Verbs = new ValueList<string>(verbs),
            Headers = new ValueMap(headers),
            QueryParams = new ValueMap(query),
        }, null);
    }

    /// <summary>
    /// Which routes the matcher flags select (<c>route delete</c>): those with the path or event
    /// given, and, when given, the same methods, headers and query parameters.
    /// </summary>
    public Func<Route, bool> Selector(ParseResult parseResult)
    {
        var exact = parseResult.GetValue(PathExact);
        var prefix = parseResult.GetValue(PathPrefix);
        var regex = parseResult.GetValue(PathRegex);
        var eventType = parseResult.GetValue(Event);
        var verbs = Split(parseResult.GetValue(HttpMethod)).Select(v => v.ToUpperInvariant()).Order(StringComparer.Ordinal).ToList();
        var headers = Pairs(parseResult.GetValue(Header), ':', "--header");
        var query = Pairs(parseResult.GetValue(Query), '=', "--query");
        return route =>
            (eventType is null || route.EventMatcher?.EventType == eventType)
            && (exact is null || route.RequestMatcher?.PathExact == exact)
            && (prefix is null || route.RequestMatcher?.PathPrefix == prefix)
            && (regex is null || route.RequestMatcher?.PathRegex == regex)
            && (verbs.Count == 0 || (route.RequestMatcher?.Verbs ?? ValueList<string>.Empty).Order(StringComparer.Ordinal).SequenceEqual(verbs))
            && headers.All(h => route.RequestMatcher?.Headers.TryGetValue(h.Key, out var value) == true && value == h.Value)
            && query.All(q => route.RequestMatcher?.QueryParams.TryGetValue(q.Key, out var value) == true && value == q.Value);
    }

    /// <summary>The destination the flags describe: single (<c>--upstream</c>) or weighted (<c>--dest</c>).</summary>
    public (Destination? Single, ValueList<WeightedDestination>? Multiple) Destination(ParseResult parseResult)
    {
        var upstream = parseResult.GetValue(Upstream);
        var function = parseResult.GetValue(Function);
        var weighted = parseResult.GetValue(Dest) ?? [];
        if (weighted.Length > 0)
        {
            if (upstream is not null || function is not null)
            {
                throw new CliException("--dest gives weighted destinations; it does not go with --upstream or --function");
            }
            return (null, new ValueList<WeightedDestination>(weighted.Select(ParseWeighted)));
        }
        if (upstream is null)
        {
            throw new CliException(function is null
                ? "a route needs a destination: --upstream UPSTREAM [--function FUNCTION], or --dest upstream[:function]=weight (repeated)"
                : "--function needs --upstream (the upstream the function belongs to)");
        }
        return (To(upstream, function), null);
    }

    /// <summary>The extensions file as a struct; null without the flag.</summary>
    public async Task<Struct?> ExtensionsAsync(ParseResult parseResult, CliContext context, CancellationToken cancellationToken)
    {
        if (parseResult.GetValue(Extensions) is not { } path)
        {
            return null;
        }
        var text = path == "-" ? await context.In.ReadToEndAsync(cancellationToken)
            : File.Exists(path) ? await File.ReadAllTextAsync(path, cancellationToken)
            : throw new CliException($"--extensions: {path}: no such file");
        var documents = YamlLoader.Load(text, path);
        if (documents.Count == 0 || documents[0].Root is null && documents[0].Error is null)
        {
            return Struct.Empty;
        }
        if (documents[0].Error is { } error)
        {
            throw new ConfigException(error);
        }
        if (documents.Count > 1 || documents[0].Root is not MappingNode mapping)
        {
            throw new CliException($"--extensions: {path}: expected one YAML mapping such as 'timeout: 5s' or 'cors: {{…}}'");
        }
        return StructReader.Read(new ReadContext(path, ConfigKind.VirtualService), mapping);
    }

    private static WeightedDestination ParseWeighted(string text)
    {
        var equals = text.LastIndexOf('=');
        if (equals <= 0 || !uint.TryParse(text[(equals + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var weight))
        {
            throw new CliException($"--dest: '{text}' is not upstream[:function]=weight (e.g. reviews=90 or petstore:addPet=10)");
        }
        var target = text[..equals];
        var colon = target.IndexOf(':', StringComparison.Ordinal);
        return new WeightedDestination(colon < 0 ? To(target, null) : To(target[..colon], target[(colon + 1)..]), weight);
    }

    private static Destination To(string upstream, string? function)
    {
        if (upstream.Length == 0 || !ObjectNames.IsValid(upstream))
        {
            throw new CliException($"'{upstream}' is not an upstream name: {ObjectNames.Rule}");
        }
        return function is null
            ? new Destination { Upstream = new UpstreamDestination(upstream) }
            : function.Length == 0 ? throw new CliException($"upstream '{upstream}': empty function name")
            : new Destination { Function = new FunctionDestination(upstream, function) };
    }

    private static IEnumerable<string> Split(string[]? values) =>
        (values ?? []).SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));

    /// <summary>glooctl's <c>"k:v,k2:v2"</c>; a key without a value matches presence.</summary>
    private static List<KeyValuePair<string, string>> Pairs(string[]? values, char separator, string flag)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        foreach (var item in Split(values))
        {
            var at = item.IndexOf(separator, StringComparison.Ordinal);
            var key = (at < 0 ? item : item[..at]).Trim();
            if (key.Length == 0)
            {
                throw new CliException($"{flag}: '{item}' has no name (NAME{separator}VALUE)");
            }
            pairs.Add(new(key, at < 0 ? "" : item[(at + 1)..].Trim()));
        }
        return pairs;
    }
}
