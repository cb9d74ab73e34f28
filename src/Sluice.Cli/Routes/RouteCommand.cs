using System.CommandLine;
using System.Text.Json.Nodes;
using Sluice.Api;
using Sluice.Cli.Commands;
using Sluice.Storage;

namespace Sluice.Cli.Routes;

/// <summary>
/// <c>sluice route add|get|update|delete|sort</c> on a virtual service (<c>--virtual-service</c>,
/// default <c>default</c>, created with domain <c>*</c> when <c>add</c> finds none, as glooctl did).
/// Routes are numbered from 0 in <c>route get</c>; <c>--index</c> uses the same numbers. Each
/// change is one update of the virtual service at the version read, so two writers never lose
/// each other's routes.
/// </summary>
internal static class RouteCommand
{
    public const string DefaultVirtualService = "default";

    public static Command Create(CliContext context)
    {
        var command = new Command("route", "Routes of a virtual service: add, get, update, delete, sort (glooctl's flags)");
        command.Aliases.Add("routes");
        command.Add(Add(context));
        command.Add(Get(context));
        command.Add(Update(context));
        command.Add(Delete(context));
        command.Add(Sort(context));
        return command;
    }

    private sealed class Common
    {
        public Option<string> VirtualService { get; } = new("--virtual-service", "--vs")
        {
            Description = $"The virtual service [default: {DefaultVirtualService}]",
            HelpName = "NAME",
            DefaultValueFactory = _ => DefaultVirtualService,
        };

        public StoreFlags Store { get; } = new();

        public void AddTo(Command command, CliContext context)
        {
            command.Add(VirtualService);
            VirtualService.CompletionSources.Add(completion =>
                ObjectNameCompletion.For(Store, context, _ => ConfigKind.VirtualService)(completion));
            foreach (var option in Store.All)
            {
                command.Add(option);
            }
        }
    }

    private static Option<int?> IndexOption(string description) => new("--index") { Description = description, HelpName = "N" };

    private static Option<bool> SortOption() => new("--sort") { Description = "Sort the routes afterwards (sluice route sort)" };

    private static Command Add(CliContext context)
    {
        var common = new Common();
        var flags = new RouteFlags();
        var index = IndexOption("Insert at this position (0 = first; default: last)");
        var sort = SortOption();
        var command = new Command("add", "Add a route (creates the virtual service 'default' when missing)") { index, sort };
        command.Aliases.Add("create");
        foreach (var option in flags.All)
        {
            command.Add(option);
        }
        common.AddTo(command, context);
        CommandAction.Set(command, context, async (parseResult, cancellationToken) =>
        {
            var route = await BuildAsync(parseResult, flags, context, null, cancellationToken);
            return await ChangeAsync(context, common, parseResult, createMissing: true, routes =>
            {
                var at = parseResult.GetValue(index) ?? routes.Count;
                if (at < 0 || at > routes.Count)
                {
                    throw new CliException($"--index {at}: the virtual service has {routes.Count} route(s); use 0 to {routes.Count}");
                }
                var list = routes.ToList();
                list.Insert(at, route);
                return parseResult.GetValue(sort) ? RouteOrder.Sort(list) : list;
            }, "route added", cancellationToken);
        });
        return command;
    }

    private static Command Update(CliContext context)
    {
        var common = new Common();
        var flags = new RouteFlags();
        var index = IndexOption("The route to change (its ID in route get)");
        index.Required = true;
        var sort = SortOption();
        var command = new Command("update", "Change the route at --index: the matcher, destination, rewrite or extensions given replace the old ones") { index, sort };
        foreach (var option in flags.All)
        {
            command.Add(option);
        }
        common.AddTo(command, context);
        CommandAction.Set(command, context, async (parseResult, cancellationToken) =>
        {
            var at = parseResult.GetValue(index)!.Value;
            return await ChangeAsync(context, common, parseResult, createMissing: false, routes =>
            {
                CheckIndex(at, routes);
                var list = routes.ToList();
                list[at] = BuildAsync(parseResult, flags, context, routes[at], CancellationToken.None).GetAwaiter().GetResult();
                return parseResult.GetValue(sort) ? RouteOrder.Sort(list) : list;
            }, $"route {at} updated", cancellationToken);
        });
        return command;
    }

    private static Command Delete(CliContext context)
    {
        var common = new Common();
        var flags = new RouteFlags();
        var index = IndexOption("The route to delete (its ID in route get)");
        var command = new Command("delete", "Delete the route at --index, or the one whose matcher the matcher flags describe") { index };
        command.Aliases.Add("remove");
        foreach (var option in flags.Matchers)
        {
            command.Add(option);
        }
        common.AddTo(command, context);
        CommandAction.Set(command, context, async (parseResult, cancellationToken) =>
        {
            var described = "route deleted";
            return await ChangeAsync(context, common, parseResult, createMissing: false, routes =>
            {
                int at;
                if (parseResult.GetValue(index) is { } given)
                {
                    at = given;
                    CheckIndex(at, routes);
                }
                else if (flags.HasMatcher(parseResult))
                {
                    var selects = flags.Selector(parseResult);
                    var matches = routes.Select((r, i) => (r, i)).Where(p => selects(p.r)).Select(p => p.i).ToList();
                    at = matches.Count switch
                    {
                        1 => matches[0],
                        0 => throw new CliException("no route has that matcher (see sluice route get)"),
                        _ => throw new CliException($"routes {string.Join(", ", matches)} all have that matcher: choose one with --index"),
                    };
                }
                else
                {
                    throw new CliException("say which route: --index N, or its matcher (--path-prefix, --path-exact, --path-regex, --event, …)");
                }
                described = $"route {at} deleted";
                var list = routes.ToList();
                list.RemoveAt(at);
                return list;
            }, () => described, cancellationToken);
        });
        return command;
    }

    private static Command Sort(CliContext context)
    {
        var common = new Common();
        var command = new Command("sort", "Sort routes as glooctl did: events, then exact paths, regexes, prefixes; longer first within each");
        common.AddTo(command, context);
        CommandAction.Set(command, context, (parseResult, cancellationToken) =>
            ChangeAsync(context, common, parseResult, createMissing: false, RouteOrder.Sort, "routes sorted", cancellationToken));
        return command;
    }

    private static Command Get(CliContext context)
    {
        var common = new Common();
        var output = new Option<string>("--output", "-o") { Description = "table, yaml or json", DefaultValueFactory = _ => "table", HelpName = "table|yaml|json" };
        output.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string>() is not ("table" or "yaml" or "json") and var value)
            {
                result.AddError($"--output: '{value}' is not a format (table, yaml or json)");
            }
        });
        var command = new Command("get", "List the routes of a virtual service, numbered from 0") { output };
        command.Aliases.Add("list");
        common.AddTo(command, context);
        CommandAction.Set(command, context, async (parseResult, cancellationToken) =>
        {
            var store = common.Store.OpenForReading(parseResult, context);
            using var disposable = store as IDisposable;
            var vs = await FindAsync(store, parseResult.GetValue(common.VirtualService)!, cancellationToken)
                ?? throw await NotFoundAsync(store, parseResult.GetValue(common.VirtualService)!, cancellationToken);
            switch (parseResult.GetValue(output))
            {
                case "yaml" or "json":
                    var routes = ConfigCodec.ToJson(vs)["routes"]?.DeepClone() ?? new JsonArray();
                    context.Out.Write(parseResult.GetValue(output) == "json"
                        ? routes.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n"
                        : Api.Codec.YamlText.Write(routes));
                    break;
                default:
                    RouteTable.Write(context.Out, vs.Routes);
                    break;
            }
            return ExitCodes.Success;
        });
        return command;
    }

    private static Task<int> ChangeAsync(CliContext context, Common common, ParseResult parseResult, bool createMissing, Func<IReadOnlyList<Route>, IReadOnlyList<Route>> change, string line, CancellationToken cancellationToken) =>
        ChangeAsync(context, common, parseResult, createMissing, change, () => line, cancellationToken);

    /// <summary>Reads the virtual service, changes its routes, writes it back at the version read, prints the routes and the verdict.</summary>
    private static async Task<int> ChangeAsync(CliContext context, Common common, ParseResult parseResult, bool createMissing, Func<IReadOnlyList<Route>, IReadOnlyList<Route>> change, Func<string> line, CancellationToken cancellationToken)
    {
        var name = parseResult.GetValue(common.VirtualService)!;
        var store = common.Store.Open(parseResult, context);
        using var disposable = store as IDisposable;
        var vs = await FindAsync(store, name, cancellationToken);
        var created = false;
        if (vs is null)
        {
            if (!createMissing || name != DefaultVirtualService)
            {
                throw await NotFoundAsync(store, name, cancellationToken);
            }
            // glooctl: "Did not find a default virtual service. Creating..."
            context.Err.WriteLine($"virtualservice/{name} not found: creating it (domains: *)");
            vs = new VirtualService { Name = name, Domains = new ValueList<string>(["*"]) };
            created = true;
        }
        var routes = change(vs.Routes);
        var updated = vs with { Routes = new ValueList<Route>(routes), Status = null };
        if (created)
        {
            await store.CreateAsync(updated, cancellationToken);
        }
        else
        {
            await store.UpdateAsync(updated, cancellationToken);
        }
        RouteTable.Write(context.Out, routes);
        await ApplyCommand.PrintVerdictsAsync(context, store, [(ConfigKind.VirtualService, name, $"virtualservice/{name}: {line()}")], cancellationToken);
        return ExitCodes.Success;
    }

    private static async Task<Route> BuildAsync(ParseResult parseResult, RouteFlags flags, CliContext context, Route? old, CancellationToken cancellationToken)
    {
        var route = old ?? new Route();
        if (old is null || flags.HasMatcher(parseResult))
        {
            var (request, eventMatcher) = flags.Matcher(parseResult);
            route = route with { RequestMatcher = request, EventMatcher = eventMatcher };
        }
        if (old is null || flags.HasDestination(parseResult))
        {
            var (single, multiple) = flags.Destination(parseResult);
            route = route with { SingleDestination = single, MultipleDestinations = multiple, Redirect = null, DirectResponse = null };
        }
        if (parseResult.GetValue(flags.PrefixRewrite) is { } rewrite)
        {
            route = route with { PrefixRewrite = rewrite.Length == 0 ? null : rewrite, RegexRewrite = rewrite.Length == 0 ? route.RegexRewrite : null };
        }
        if (await flags.ExtensionsAsync(parseResult, context, cancellationToken) is { } extensions)
        {
            route = route with { Extensions = extensions };
        }
        return route;
    }

    private static void CheckIndex(int at, IReadOnlyList<Route> routes)
    {
        if (at < 0 || at >= routes.Count)
        {
            throw new CliException(routes.Count == 0
                ? $"--index {at}: the virtual service has no routes"
                : $"--index {at}: the virtual service has {routes.Count} route(s), numbered 0 to {routes.Count - 1} (see sluice route get)");
        }
    }

    private static async Task<VirtualService?> FindAsync(IConfigStore store, string name, CancellationToken cancellationToken) =>
        (await store.LoadAsync(cancellationToken)).VirtualServices.FirstOrDefault(v => v.Name == name);

    private static async Task<CliException> NotFoundAsync(IConfigStore store, string name, CancellationToken cancellationToken)
    {
        var snapshot = await store.LoadAsync(cancellationToken);
        if (snapshot.LoadErrors.FirstOrDefault(e => e.Kind == ConfigKind.VirtualService && e.ObjectName == name) is { } error)
        {
            return new CliException($"virtualservice/{name} does not load, so its routes cannot be changed: {error}");
        }
        return new CliException($"virtualservice/{name}: not found{ObjectListing.Suggest(name, snapshot.VirtualServices.Select(v => v.Name))} (--virtual-service NAME)");
    }
}
