using Sluice.Plugins.Grpc;

namespace Sluice.Tests.Plugins.Grpc;

public sealed class PathTemplateTests
{
    [Theory]
    [InlineData("/v1/shelves/{shelf}", "/v1/shelves/12", "shelf=12")]
    [InlineData("/v1/shelves/{shelf}/books/{book.id}", "/v1/shelves/1/books/2", "shelf=1;book.id=2")]
    [InlineData("/v1/{name=shelves/*}", "/v1/shelves/abc", "name=shelves/abc")]
    [InlineData("/v1/{name=shelves/*/books/*}", "/v1/shelves/a/books/b", "name=shelves/a/books/b")]
    [InlineData("/files/{path=**}", "/files/a/b/c", "path=a/b/c")]
    [InlineData("/files/{path=**}", "/files", "path=")]
    [InlineData("/v1/{name=*}:cancel", "/v1/op1:cancel", "name=op1")]
    [InlineData("/v1/*/x", "/v1/any/x", "")]
    [InlineData("/", "/", "")]
    [InlineData("/v1/{a}/{b.c.d}", "/v1/%20x/y%2Fz", "a=%20x;b.c.d=y%2Fz")]
    public void Matches_and_captures_variables(string template, string path, string expected)
    {
        var parsed = PathTemplate.Parse(template);
        var values = new Range[parsed.Variables.Count];
        Assert.True(parsed.TryMatch(path, values));
        var captured = string.Join(";", parsed.Variables.Select((v, i) => $"{v.FieldPath}={path[values[i]]}"));
        Assert.Equal(expected, captured);
    }

    [Theory]
    [InlineData("/v1/shelves/{shelf}", "/v1/shelves")]
    [InlineData("/v1/shelves/{shelf}", "/v1/shelves/")]
    [InlineData("/v1/shelves/{shelf}", "/v1/shelves/1/x")]
    [InlineData("/v1/shelves/{shelf}", "/V1/shelves/1")]
    [InlineData("/v1/{name=shelves/*}", "/v1/books/abc")]
    [InlineData("/v1/{name=*}:cancel", "/v1/op1")]
    [InlineData("/v1/{name=*}:cancel", "/v1/op1:undo")]
    [InlineData("/v1/x", "v1/x")]
    [InlineData("/", "/a")]
    public void Does_not_match(string template, string path)
    {
        var parsed = PathTemplate.Parse(template);
        Assert.False(parsed.TryMatch(path, new Range[parsed.Variables.Count]));
    }

    [Theory]
    [InlineData("v1/x", "must start with '/'")]
    [InlineData("/v1/{name", "'{' is not closed")]
    [InlineData("/v1/{a.}", "is not a field path")]
    [InlineData("/v1/{1a}", "is not a field path")]
    [InlineData("/v1/**/x", "'**' may only be the last segment")]
    [InlineData("/v1/{a}/{a}", "field 'a' is bound twice")]
    [InlineData("/v1//x", "a segment is missing")]
    [InlineData("/v1/x/", "a segment is missing")]
    [InlineData("/v1/{a={b}}", "variables cannot be nested")]
    [InlineData("/v1/x:", "the verb ':' must be a literal")]
    public void Bad_templates_say_what_is_wrong(string template, string expected)
    {
        var error = Assert.Throws<FormatException>(() => PathTemplate.Parse(template));
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Verb_colon_inside_a_variable_is_not_a_verb()
    {
        var parsed = PathTemplate.Parse("/v1/{name=projects/*}/x:run");
        Assert.Equal("run", parsed.Verb);
        Assert.Equal("name", Assert.Single(parsed.Variables).FieldPath);
    }

    [Theory]
    [InlineData("a%2Fb%20c", true, "a%2Fb c")]
    [InlineData("a%2fb%20c", true, "a%2fb c")]
    [InlineData("a%2Fb%20c", false, "a/b c")]
    [InlineData("%E2%82%AC", false, "€")]
    public void Percent_decoding_keeps_encoded_slashes_in_multi_segment_values(string raw, bool keepSlashes, string expected) =>
        Assert.Equal(expected, PercentDecoding.Decode(raw, keepSlashes));
}
