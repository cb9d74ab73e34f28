using System.Text;
using Microsoft.AspNetCore.Http;
using Sluice.Plan;
using Sluice.Plugins.Rest.Templates;

namespace Sluice.Tests.Plugins.Rest;

/// <summary>The inja subset REST templates speak: rendering against a body, extractions and headers; parse errors with positions.</summary>
public sealed class TemplateTests
{
    private const string Body = """{"id": 7, "name": "rex", "tag": null, "pets": [{"name": "a"}, {"name": "b"}], "owner": {"first": "Ann"}, "ok": true}""";

    [Theory]
    [InlineData("/api/pets/{{ id }}", "/api/pets/7")]
    [InlineData("/api/pets/{{id}}", "/api/pets/7")]
    [InlineData("{{ name }}|{{ owner.first }}|{{ pets.1.name }}", "rex|Ann|b")]
    [InlineData("{{ tag }} {{ ok }} {{ owner }}", """null true {"first": "Ann"}""")]
    [InlineData("""{"id": {{id}},"name": "{{name}}"}""", """{"id": 7,"name": "rex"}""")]
    [InlineData("""{{ default(missing, "none") }}/{{ default(name, "none") }}""", "none/rex")]
    [InlineData("""{{ default(tag, "untagged") }}""", "untagged")]
    [InlineData("""{{ header("X-Name") }}|{{ header("absent") }}""", "Header-Value|")]
    [InlineData("""{{ extraction("user") }}|{{ extraction("nothing") }}""", "u-1|")]
    [InlineData("{{ upper(name) }} {{ lower(\"ABC\") }} {{ name | upper }}", "REX abc REX")]
    [InlineData("{{ length(pets) }} {{ length(name) }} {{ length(owner) }}", "2 3 1")]
    [InlineData("{% if id == 7 %}seven{% else %}other{% endif %}", "seven")]
    [InlineData("{% if id > 10 %}big{% else if id > 5 %}medium{% else %}small{% endif %}", "medium")]
    [InlineData("{% if missing %}yes{% else %}no{% endif %}", "no")]
    [InlineData("{% if not ok or tag %}x{% else %}y{% endif %}", "y")]
    [InlineData("{% if exists(\"owner.first\") and not exists(\"owner.last\") %}yes{% endif %}", "yes")]
    [InlineData("{% for p in pets %}{{ loop.index }}:{{ p.name }}{% if not loop.is_last %},{% endif %}{% endfor %}", "0:a,1:b")]
    [InlineData("{% for k, v in owner %}{{ k }}={{ v }}{% endfor %}", "first=Ann")]
    [InlineData("{# a comment #}plain { text }", "plain { text }")]
    [InlineData("{{ user }}/{{ id }}", "u-1/7")]
    public void Renders(string source, string expected)
    {
        Assert.Equal(expected, Render(source, Body));
    }

    [Fact]
    public void Extraction_overrides_body_field()
    {
        Assert.Equal("42", Render("{{ id }}", Body, ("id", "42", true)));
    }

    [Fact]
    public void Unmatched_extraction_does_not_hide_body_field_but_supplies_empty_without_one()
    {
        Assert.Equal("7", Render("{{ id }}", Body, ("id", "", false)));
        Assert.Equal("[]", Render("[{{ id }}]", "", ("id", "", false)));
    }

    [Theory]
    [InlineData("/api/pets/{{ id }}", "", "template_error", "variable 'id' is not defined")]
    [InlineData("{{ upper(nope) }}", Body, "template_error", "variable 'nope' is not defined")]
    [InlineData("{% for x in name %}{% endfor %}", Body, "template_error", "'name' is not a list")]
    [InlineData("/api/pets/{{ id }}", "id=1", "bad_request_body", "the request body is not JSON")]
    public void Render_errors_carry_a_code(string source, string body, string code, string message)
    {
        var error = Assert.Throws<TemplateRenderException>(() => Render(source, body));
        Assert.Equal(code, new SluiceError(error.Code, "").Name);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void Body_is_not_parsed_when_no_lookup_reaches_it()
    {
        Assert.Equal("/x/9", Render("/x/{{ id }}", "not json", ("id", "9", true)));
    }

    [Theory]
    [InlineData("/api/pets/{{ id", 1, 11, "'{{' is not closed with '}}'")]
    [InlineData("line one\n  {{ id }} {{ }}", 2, 15, "expected an expression before '}}'")]
    [InlineData("{% if id %}yes", 1, 1, "'{% if %}' is not closed with '{% endif %}'")]
    [InlineData("{% for p in pets %}{% endif %}", 1, 20, "'{% endif %}' does not close '{% for %}' opened at line 1, column 1")]
    [InlineData("{% endfor %}", 1, 1, "'{% endfor %}' has no matching opening tag")]
    [InlineData("{{ frobnicate(id) }}", 1, 4, "unknown function 'frobnicate'")]
    [InlineData("{{ default(id) }}", 1, 4, "default() takes 2 arguments, got 1")]
    [InlineData("{% while x %}", 1, 4, "unknown tag 'while'")]
    [InlineData("{{ \"open }}", 1, 4, "string starting here is not closed")]
    [InlineData("{{ id id }}", 1, 7, "unexpected 'id', expected '}}'")]
    [InlineData("{# never closed", 1, 1, "comment '{#' is not closed")]
    [InlineData("{{ a..b }}", 1, 4, "'a..b' is not a valid variable name")]
    public void Syntax_errors_name_line_and_column(string source, int line, int column, string reason)
    {
        var error = Assert.Throws<TemplateSyntaxException>(() => Template.Parse(source));
        Assert.Equal((line, column), (error.Line, error.Column));
        Assert.Contains(reason, error.Reason);
    }

    [Theory]
    [InlineData("/api/pets", "")]
    [InlineData("/api/pets/{{ id }}", "id")]
    [InlineData("{{ header(\"x\") }}{{ extraction(\"y\") }}", "")]
    [InlineData("{% for p in pets %}{{ p.name }}{{ loop.index }}{{ suffix }}{% endfor %}", "pets,suffix")]
    [InlineData("{% if exists(\"a.b\") %}{{ default(c, d) }}{% endif %}", "a,c,d")]
    public void Knows_which_variables_it_reads(string source, string expected)
    {
        Assert.Equal(expected, string.Join(",", Template.Parse(source).Variables.Order(StringComparer.Ordinal)));
    }

    [Theory]
    [InlineData("/pets/{{ v }}", "../a", "/pets/..%2Fa")]
    [InlineData("/pets/{{ v }}", "%2e%2e", "/pets/%252e%252e")]
    [InlineData("/pets/{{ v }}", "1?x=1#f", "/pets/1%3Fx=1%23f")]
    [InlineData("/pets/{{ v }}", "é\\", "/pets/%C3%A9%5C")]
    [InlineData("/pets/{{ v }}", "a+b:c@d", "/pets/a+b:c@d")]
    [InlineData("/pets?q={{ v }}", "a&b=c/d", "/pets?q=a%26b%3Dc%2Fd")]
    [InlineData("/pets/{% if v %}x?q={% endif %}{{ v }}", "a/b", "/pets/x?q=a%2Fb")]
    [InlineData("/pets/{{ raw(v) }}", "a/b?c", "/pets/a/b?c")]
    [InlineData("/pets/{{ v | raw }}", "a/b", "/pets/a/b")]
    public void Url_templates_encode_values_for_where_they_land(string source, string value, string expected)
    {
        Assert.Equal(expected, RenderUrl(source, value));
    }

    [Theory]
    [InlineData("/pets/{{ v }}", "..")]
    [InlineData("/pets/{{ v }}/x", ".")]
    [InlineData("/pets/{{ v }}{{ v }}", ".")]
    [InlineData("/pets/{{ raw(v) }}", "a/%2E./b")]
    public void Url_template_refuses_a_dot_segment(string source, string value)
    {
        var error = Assert.Throws<TemplateRenderException>(() => RenderUrl(source, value));
        Assert.Equal(TemplateRenderException.BadPathCode, error.Code);
        Assert.Equal(400, new SluiceError(error.Code, "").StatusCode);
    }

    [Fact]
    public void Values_in_headers_and_bodies_are_not_encoded()
    {
        Assert.Equal("../a?b", Render("{{ v }}", """{"v": "../a?b"}"""));
    }

    [Fact]
    public void Render_stops_at_the_length_cap()
    {
        using var input = new TemplateInput(new HeaderDictionary(), [], Encoding.UTF8.GetBytes("""{"items": [1, 2, 3, 4]}"""));
        var template = Template.Parse("{% for a in items %}{% for b in items %}{{ a }}{{ b }}{% endfor %}{% endfor %}");
        Assert.Equal(32, template.Render(input, 32).Length);
        var error = Assert.Throws<TemplateRenderException>(() => template.Render(input, 31));
        Assert.Equal((TemplateRenderException.LimitCode, 413), (error.Code, new SluiceError(error.Code, "").StatusCode));
    }

    [Fact]
    public void Render_stops_at_the_loop_cap_even_when_it_prints_nothing()
    {
        var items = "[" + string.Join(",", Enumerable.Repeat("0", 400)) + "]";
        using var input = new TemplateInput(new HeaderDictionary(), [], Encoding.UTF8.GetBytes("{\"items\": " + items + "}"));
        var template = Template.Parse("{% for a in items %}{% for b in items %}{% endfor %}{% endfor %}");
        var error = Assert.Throws<TemplateRenderException>(() => template.Render(input, long.MaxValue));
        Assert.Equal(TemplateRenderException.LimitCode, error.Code);
        Assert.Contains($"more than {TemplateRenderer.MaxIterations} times", error.Message);
    }

    [Fact]
    public void Plain_text_is_a_constant()
    {
        Assert.Equal("/api/pets", Template.Parse("/api/pets").Constant);
        Assert.Null(Template.Parse("/api/{{ x }}").Constant);
    }

    private static string RenderUrl(string source, string value)
    {
        using var input = new TemplateInput(new HeaderDictionary(), [("v", value, true)], ReadOnlyMemory<byte>.Empty);
        return Template.Parse(source, TemplateEscaping.Url).Render(input, long.MaxValue);
    }

    private static string Render(string source, string body, params (string, string, bool)[] extractions)
    {
        var headers = new HeaderDictionary { ["X-Name"] = "Header-Value" };
        var all = extractions.Append(("user", "u-1", true)).ToArray();
        using var input = new TemplateInput(headers, all, Encoding.UTF8.GetBytes(body));
        return Template.Parse(source).Render(input, long.MaxValue);
    }
}
