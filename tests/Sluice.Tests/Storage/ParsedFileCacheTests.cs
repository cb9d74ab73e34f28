using System.Text;
using Sluice.Api;
using Sluice.Storage;

namespace Sluice.Tests.Storage;

public sealed class ParsedFileCacheTests
{
    private static SourceFile File(string text, string path = "upstreams/a.yaml") =>
        new("upstreams", Path.GetFileName(path), path, Encoding.UTF8.GetBytes(text));

    [Fact]
    public void Unchanged_bytes_reuse_the_decoded_documents_and_hashes()
    {
        var cache = new ParsedFileCache();
        var first = cache.Get(File("name: a\ntype: static\n"), ConfigKind.Upstream);
        var hash = first.ContentHash(0, first.Documents[0].Object!);

        var second = cache.Get(File("name: a\ntype: static\n"), ConfigKind.Upstream);
        Assert.Same(first, second);
        Assert.Same(hash, second.ContentHash(0, second.Documents[0].Object!));
    }

    [Fact]
    public void Changed_bytes_are_decoded_again()
    {
        var cache = new ParsedFileCache();
        var first = cache.Get(File("name: a\ntype: static\n"), ConfigKind.Upstream);
        var second = cache.Get(File("name: a\ntype: kubernetes\n"), ConfigKind.Upstream);
        Assert.NotSame(first, second);
        Assert.Equal("kubernetes", ((Upstream)second.Documents[0].Object!).Type);
        Assert.NotEqual(first.ContentHash(0, first.Documents[0].Object!), second.ContentHash(0, second.Documents[0].Object!));
    }

    [Fact]
    public void Retain_forgets_files_that_are_gone()
    {
        var cache = new ParsedFileCache();
        var first = cache.Get(File("name: a\ntype: static\n"), ConfigKind.Upstream);
        cache.Retain([]);
        Assert.NotSame(first, cache.Get(File("name: a\ntype: static\n"), ConfigKind.Upstream));
    }
}
