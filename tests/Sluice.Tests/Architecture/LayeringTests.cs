using NetArchTest.Rules;
using Sluice.Plan;

namespace Sluice.Tests.Architecture;

/// <summary>
/// The folder layering of DESIGN.md, enforced: Api → Storage, Plan → Translation (contracts) →
/// Plugins → Gateway, Telemetry, Discovery → Hosting → Cli. A folder may use folders below it, never one
/// above it; plugins never use the host; Telemetry never uses Gateway; plugin folders never form
/// a cycle. A new back-edge fails here, with its types named.
/// </summary>
public sealed class LayeringTests
{
    /// <summary>Lowest first; folders of one layer may not use each other unless listed in <see cref="Allowed"/>.</summary>
    private static readonly string[][] Layers =
    [
        ["Sluice.Api", "Sluice.Security"],
        ["Sluice.Storage", "Sluice.Plan"],
        ["Sluice.Translation"],
        ["Sluice.Plugins"],
        ["Sluice.Gateway", "Sluice.Telemetry", "Sluice.Discovery"],
        ["Sluice.Hosting"],
    ];

    /// <summary>Uses within one layer that are part of the design (the host records its own telemetry).</summary>
    private static readonly (string From, string To)[] Allowed = [("Sluice.Gateway", "Sluice.Telemetry")];

    private static Types SluiceTypes => Types.InAssembly(typeof(RoutePlan).Assembly);

    public static TheoryData<string, string> ForbiddenEdges()
    {
        var data = new TheoryData<string, string>();
        for (var layer = 0; layer < Layers.Length; layer++)
        {
            foreach (var from in Layers[layer])
            {
                // Anything above, and anything beside that is not explicitly allowed.
                foreach (var to in Layers.Skip(layer).SelectMany(l => l))
                {
                    if (to != from && !Allowed.Contains((from, to)))
                    {
                        data.Add(from, to);
                    }
                }
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(ForbiddenEdges))]
    public void A_folder_does_not_use_one_above_or_beside_it(string from, string to)
    {
        var result = SluiceTypes.That().ResideInNamespace(from).ShouldNot().HaveDependencyOn(Namespace(to)).GetResult();
        Assert.True(result.IsSuccessful, $"{from} must not use {to}, but these types do: {string.Join(", ", result.FailingTypeNames ?? [])}");
    }

    [Fact]
    public void Plugin_folders_form_no_cycle()
    {
        var plugins = SluiceTypes.That().ResideInNamespace("Sluice.Plugins").GetTypes()
            .Select(t => string.Join('.', t.Namespace!.Split('.').Take(3)))
            .Distinct()
            .ToList();
        Assert.True(plugins.Count > 10, "the plugin folders were not found");
        var uses = plugins.ToDictionary(p => p, p => plugins.Where(other => other != p && Uses(p, other)).ToList());

        // Depth-first search for a back-edge.
        var state = plugins.ToDictionary(p => p, _ => 0);
        foreach (var plugin in plugins)
        {
            Visit(plugin, []);
        }

        void Visit(string plugin, List<string> path)
        {
            if (state[plugin] == 2)
            {
                return;
            }
            Assert.False(state[plugin] == 1, $"plugin folders form a cycle: {string.Join(" → ", path.Append(plugin))}");
            state[plugin] = 1;
            foreach (var used in uses[plugin])
            {
                Visit(used, [.. path, plugin]);
            }
            state[plugin] = 2;
        }
    }

    /// <summary>Sub-namespaces (e.g. <c>Sluice.Plugins.Rest.Templates</c>) belong to their plugin.</summary>
    private static bool Uses(string from, string to) =>
        !SluiceTypes.That().ResideInNamespace(from).ShouldNot().HaveDependencyOn(Namespace(to)).GetResult().IsSuccessful;

    /// <summary>
    /// The types of a folder, by namespace prefix with its dot: NetArchTest also matches string
    /// literals, and the tracing source is named "Sluice.Gateway" without being a use of the folder.
    /// </summary>
    private static string Namespace(string folder) => folder;
}
