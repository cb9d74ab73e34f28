using Microsoft.AspNetCore.Http;
using Sluice.Api;
using Sluice.Plugins.Rest;

namespace Sluice.Tests.Plugins.Rest;

/// <summary>§4.2's extraction rules: full match, placeholders that never span '/', whole values, built-ins, "" on failure.</summary>
public sealed class ParameterSetTests
{
    [Theory]
    [InlineData("{id}", "42", "id=42")]
    [InlineData("pet-{id}", "pet-42", "id=42")]
    [InlineData("pet-{id}", "xpet-42", "id=?")]
    [InlineData("pet-{id}", "pet-42x!", "id=?")]
    [InlineData("Bearer {token}", "Bearer abc.DEF-1_2", "token=abc.DEF-1_2")]
    [InlineData("{a}/{b}", "x/y", "a=x b=y")]
    [InlineData("{a}", "x/y", "a=?")]
    [InlineData("{a}.{b}", "1.2.3", "a=1.2 b=3")]
    [InlineData("(literal) {x}?", "(literal) 7?", "x=7")]
    [InlineData("anything", "whole value, spaces too", "x-h=whole value, spaces too")]
    public void Header_patterns_match_the_whole_value(string pattern, string value, string expected)
    {
        var context = new DefaultHttpContext();
        context.Request.Headers["x-h"] = value;
        Assert.Equal(expected, Describe(Set(("x-h", pattern)).Extract(context.Request)));
    }

    [Fact]
    public void Absent_header_extracts_empty_unmatched()
    {
        var context = new DefaultHttpContext();
        Assert.Equal("id=? x-whole=?", Describe(Set(("x-pet", "{id}"), ("x-whole", "any")).Extract(context.Request)));
    }

    [Theory]
    [InlineData("/pets/{id}", "/pets/3", "", "id=3")]
    [InlineData("/pets/{id}", "/pets/3/extra", "", "id=?")]
    [InlineData("/pets/{id}", "/pets/3", "?x=1", "id=?")]
    [InlineData("/pets/{id}?x={x}", "/pets/3", "?x=1", "id=3 x=1")]
    public void Path_pattern_matches_path_and_query(string pattern, string path, string query, string expected)
    {
        var context = new DefaultHttpContext();
        context.Request.Path = path;
        context.Request.QueryString = new QueryString(query);
        var set = new ParameterSet(ValueList<HeaderParameter>.Empty, ParameterPattern.Compile(pattern, out _), AddBuiltIns: false);
        Assert.Equal(expected, Describe(set.Extract(context.Request)));
    }

    [Fact]
    public void Built_ins_path_and_method_come_after_user_extractions()
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "PATCH";
        context.Request.Path = "/a/b";
        context.Request.QueryString = new QueryString("?q=1");
        context.Request.Headers["x-m"] = "override";
        var set = Set(("x-m", "{method}"), (":method", "{verb}")) with { AddBuiltIns = true };
        Assert.Equal("method=override verb=PATCH path=/a/b?q=1 method=PATCH", Describe(set.Extract(context.Request)));
    }

    [Theory]
    [InlineData("{id")]
    [InlineData("id}")]
    [InlineData("{a b}")]
    [InlineData("{}")]
    [InlineData("{{id}}")]
    public void Malformed_patterns_are_refused(string pattern)
    {
        Assert.Null(ParameterPattern.Compile(pattern, out var error));
        Assert.Equal($"'{pattern}' is not valid syntax. {{}} braces must be closed and variable names must satisfy regex ([\\-._[:alnum:]]+)", error);
    }

    private static ParameterSet Set(params (string Name, string Pattern)[] headers) =>
        new(new(headers.Select(h => new HeaderParameter(h.Name, ParameterPattern.Compile(h.Pattern, out _)!))), null, AddBuiltIns: false);

    private static string Describe((string Name, string Value, bool Matched)[] extractions) =>
        string.Join(" ", extractions.Select(e => e.Matched ? $"{e.Name}={e.Value}" : $"{e.Name}=?"));
}
