using System.CommandLine;
using System.Text.Json;
using Sluice.Api;

namespace Sluice.Cli.Commands;

/// <summary>
/// <c>sluice schema upstream|virtualservice</c>: the JSON Schema of that kind's files, generated
/// from the model the codec reads with; <c>--out DIR</c> writes both (how <c>schema/</c> in the
/// repository is made: a test fails when it is stale).
/// </summary>
internal static class SchemaCommand
{
    private static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static Command Create(CliContext context)
    {
        var kind = KindArgument.Create();
        kind.Arity = ArgumentArity.ZeroOrOne;
        var output = new Option<string?>("--out") { Description = "Write upstream.schema.json and virtualservice.schema.json into this folder", HelpName = "DIR" };
        var command = new Command("schema", "Print the JSON Schema of upstream or virtual service files (for editors and CI)") { kind, output };
        CommandAction.Set(command, context, async (parseResult, cancellationToken) =>
        {
            if (parseResult.GetValue(output) is { } dir)
            {
                Directory.CreateDirectory(dir);
                foreach (var each in ConfigKinds.All)
                {
                    var path = Path.Combine(dir, FileName(each));
                    await File.WriteAllTextAsync(path, Text(each), cancellationToken);
                    context.Out.WriteLine($"wrote {path}");
                }
                return ExitCodes.Success;
            }
            if (parseResult.GetResult(kind) is null or { Tokens.Count: 0 })
            {
                throw new CliException("which schema: sluice schema upstream, or sluice schema virtualservice (or --out DIR for both)");
            }
            context.Out.Write(Text(parseResult.GetValue(kind)));
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>upstream.schema.json, virtualservice.schema.json.</summary>
    public static string FileName(ConfigKind kind) => $"{KindArgument.Singular(kind)}.schema.json";

    /// <summary>The schema as committed in <c>schema/</c>: indented, with a final newline.</summary>
    public static string Text(ConfigKind kind) => ConfigCodec.JsonSchema(kind).ToJsonString(Indented).ReplaceLineEndings("\n") + "\n";
}
