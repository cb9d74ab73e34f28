using System.CommandLine;

namespace Sluice.Cli.Output;

/// <summary><c>-o table|wide|yaml|json</c> and <c>--template T</c>, shared by every listing of objects.</summary>
internal sealed class OutputFlags
{
    private static readonly string[] Formats = ["table", "wide", "yaml", "json", "template"];

    public OutputFlags()
    {
        Output.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<string>();
            if (!Formats.Contains(value))
            {
                var hint = Api.Codec.FieldSuggestions.Closest(value ?? "", Formats) is { } close ? $"; did you mean '{close}'?" : "";
                result.AddError($"--output: '{value}' is not a format (table, wide, yaml, json or template){hint}");
            }
        });
    }

    public Option<string> Output { get; } = new("--output", "-o")
    {
        Description = "table, wide (more columns), yaml (--- separated, full status), json (an array; one object with NAME), template (see --template)",
        DefaultValueFactory = _ => "table",
        HelpName = "table|wide|yaml|json",
    };

    public Option<string?> Template { get; } = new("--template")
    {
        Description = "Print each object through a format string over its JSON: '{name} {status.state}', '{routes[0].request_matcher.path_prefix}'; {{ and }} are literal braces",
        HelpName = "FORMAT",
    };

    public IEnumerable<Option> All => [Output, Template];

    /// <summary>The chosen format; a template implies <c>-o template</c>.</summary>
    public OutputChoice Resolve(ParseResult parseResult)
    {
        var template = parseResult.GetValue(Template);
        var format = parseResult.GetValue(Output) ?? "table";
        if (template is not null)
        {
            return new OutputChoice("template", ObjectTemplate.Parse(template));
        }
        return format == "template"
            ? throw new CliException("-o template needs --template FORMAT (e.g. --template '{name} {status.state}')")
            : new OutputChoice(format, null);
    }
}

internal sealed record OutputChoice(string Format, ObjectTemplate? Template);
