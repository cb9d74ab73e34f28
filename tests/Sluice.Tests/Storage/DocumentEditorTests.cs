using Sluice.Storage;

namespace Sluice.Tests.Storage;

public sealed class DocumentEditorTests
{
    private const string ThreeDocuments =
        "# header\n" +          // 1
        "name: a\n" +           // 2
        "type: static\n" +      // 3
        "---\n" +               // 4
        "# about b\n" +         // 5
        "name: b\n" +           // 6
        "type: static   # b\n" + // 7
        "---\n" +               // 8
        "name: c\n" +           // 9
        "type: static\n";       // 10

    [Theory]
    [InlineData(6, 7)]
    [InlineData(5, 7)] // a parser that counts the leading comment into the document
    [InlineData(4, 7)] // … or the separator before it
    [InlineData(6, 8)] // … or the separator after it
    public void Replace_changes_only_the_document_lines(int start, int end)
    {
        var edited = DocumentEditor.Replace(ThreeDocuments, start, end, "name: b\ntype: aws\n");

        Assert.Equal(
            "# header\nname: a\ntype: static\n---\n# about b\nname: b\ntype: aws\n---\nname: c\ntype: static\n",
            edited);
    }

    [Fact]
    public void Replace_keeps_crlf_and_a_missing_final_newline()
    {
        var text = "name: a\r\ntype: static\r\n---\r\nname: b\r\ntype: static";

        var edited = DocumentEditor.Replace(text, 4, 5, "name: b\ntype: aws\n");

        Assert.Equal("name: a\r\ntype: static\r\n---\r\nname: b\r\ntype: aws", edited);
    }

    [Theory]
    [InlineData(6, 7)]
    [InlineData(5, 8)]
    public void Remove_middle_document_takes_its_section_and_one_separator(int start, int end)
    {
        var edited = DocumentEditor.Remove(ThreeDocuments, start, end);

        Assert.Equal("# header\nname: a\ntype: static\n---\nname: c\ntype: static\n", edited);
    }

    [Fact]
    public void Remove_first_document_keeps_the_file_header()
    {
        var edited = DocumentEditor.Remove(ThreeDocuments, 2, 3);

        Assert.Equal("# header\n# about b\nname: b\ntype: static   # b\n---\nname: c\ntype: static\n", edited);
    }

    [Fact]
    public void Remove_last_document_leaves_no_trailing_separator()
    {
        var edited = DocumentEditor.Remove(ThreeDocuments, 9, 10);

        Assert.Equal("# header\nname: a\ntype: static\n---\n# about b\nname: b\ntype: static   # b\n", edited);
    }

    [Fact]
    public void Remove_after_a_leading_separator()
    {
        var edited = DocumentEditor.Remove("---\nname: a\n---\nname: b\n", 2, 2);

        Assert.Equal("---\nname: b\n", edited);
    }
}
