using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Sluice.Api.Codec;

/// <summary>
/// Parses a YAML (or JSON) text into documents of <see cref="Node"/>s with absolute line numbers.
/// Never throws for bad input: a syntax error becomes an error document covering its own lines.
/// </summary>
internal sealed class YamlLoader
{
    /// <summary>Deep enough for any real config, shallow enough that no reader can overflow the stack.</summary>
    public const int MaxDepth = 100;

    private readonly string[] _lines;
    private readonly string _source;
    private readonly Dictionary<string, Node> _anchors = new(StringComparer.Ordinal);
    private int _offset;

    private YamlLoader(string[] lines, string source)
    {
        _lines = lines;
        _source = source;
    }

    public static IReadOnlyList<LoadedDocument> Load(string text, string source)
    {
        var loader = new YamlLoader(SplitLines(text), source);
        var documents = new List<LoadedDocument>();
        foreach (var chunk in YamlChunks.Split(loader._lines))
        {
            loader.LoadChunk(chunk, documents);
        }
        return documents;
    }

    /// <summary>Lines without their terminators (LF or CRLF), and without a byte order mark.</summary>
    public static string[] SplitLines(string text)
    {
        var lines = text.TrimStart('\uFEFF').Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            lines[i] = lines[i].TrimEnd('\r');
        }
        return lines;
    }

    private void LoadChunk(TextChunk chunk, List<LoadedDocument> documents)
    {
        var (first, last) = ContentRange(chunk);
        if (first == 0)
        {
            return;
        }
        _offset = chunk.First;
        var parser = new Parser(new StringReader(string.Join('\n', _lines, chunk.First, chunk.Last - chunk.First + 1) + "\n"));
        try
        {
            parser.Consume<StreamStart>();
            while (!parser.Accept<StreamEnd>(out _))
            {
                parser.Consume<DocumentStart>();
                _anchors.Clear();
                var root = ReadNode(parser, 0);
                parser.Consume<DocumentEnd>();
                if (root is not ScalarNode { Value: "", Style: ScalarStyle.Plain, Tag: null })
                {
                    documents.Add(new LoadedDocument(root, null, root.Line, root.LastLine));
                }
            }
        }
        catch (ConfigException e)
        {
            documents.Add(new LoadedDocument(null, e.Error, first, last));
        }
        catch (YamlException e)
        {
            var error = SyntaxError(e.Start, e.Message, last);
            if (e.Message.Contains("tab", StringComparison.OrdinalIgnoreCase) && FirstTabIndent(first, last) is { } tabLine)
            {
                // The parser reports where the enclosing mapping began; the user needs the tab.
                error = error with { Line = tabLine, Column = _lines[tabLine - 1].IndexOf('\t', StringComparison.Ordinal) + 1 };
            }
            documents.Add(new LoadedDocument(null, error, first, last));
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner throws this on some malformed flow collections ("[1\nb: 2");
            // the last event it produced is the closest position we have.
            // Its own message ("operation is not valid…") would only confuse; say what it means.
            var mark = parser.Current?.End ?? Mark.Empty;
            documents.Add(new LoadedDocument(null, SyntaxError(mark, "a '[' or '{' is not closed before the next line", last), first, last));
        }
    }

    private Node ReadNode(IParser parser, int depth)
    {
        if (depth > MaxDepth)
        {
            throw Error(parser.Current?.Start ?? Mark.Empty, $"nested deeper than {MaxDepth} levels");
        }
        if (parser.TryConsume<AnchorAlias>(out var alias))
        {
            // Sharing the node keeps aliases cheap; readers bound the work of expanding them.
            return _anchors.TryGetValue(alias.Value.Value, out var target)
                ? target
                : throw Error(alias.Start, $"unknown anchor '{alias.Value.Value}'");
        }
        if (parser.TryConsume<Scalar>(out var scalar))
        {
            var node = new ScalarNode(
                scalar.Value, scalar.Style, scalar.Tag.IsEmpty ? null : scalar.Tag.Value,
                Line(scalar.Start), Column(scalar.Start), ScalarLastLine(scalar));
            return Remember(scalar.Anchor, node);
        }
        if (parser.TryConsume<SequenceStart>(out var sequenceStart))
        {
            var items = new List<Node>();
            SequenceEnd? end;
            while (!parser.TryConsume<SequenceEnd>(out end))
            {
                items.Add(ReadNode(parser, depth + 1));
            }
            var lastLine = sequenceStart.Style == SequenceStyle.Flow ? Line(end.Start) : LastLineOf(items, sequenceStart.Start);
            return Remember(sequenceStart.Anchor, new SequenceNode(items, Line(sequenceStart.Start), Column(sequenceStart.Start), lastLine));
        }
        var mappingStart = parser.Consume<MappingStart>();
        var entries = new List<KeyValuePair<ScalarNode, Node>>();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        MappingEnd? mappingEnd;
        while (!parser.TryConsume<MappingEnd>(out mappingEnd))
        {
            var keyStart = parser.Current?.Start ?? Mark.Empty;
            if (ReadNode(parser, depth + 1) is not ScalarNode key)
            {
                throw Error(keyStart, "a mapping key must be a plain value, not a list or mapping");
            }
            if (!keys.Add(key.Value))
            {
                throw new ConfigException(new ConfigError($"duplicate key '{key.Value}'")
                {
                    Source = _source,
                    Line = key.Line,
                    Column = key.Column,
                });
            }
            entries.Add(new(key, ReadNode(parser, depth + 1)));
        }
        var mappingLastLine = mappingStart.Style == MappingStyle.Flow
            ? Line(mappingEnd.Start)
            : LastLineOf(entries.Select(e => e.Value).Prepend(entries.Count > 0 ? entries[^1].Key : null), mappingStart.Start);
        return Remember(mappingStart.Anchor, new MappingNode(entries, Line(mappingStart.Start), Column(mappingStart.Start), mappingLastLine));
    }

    private Node Remember(AnchorName anchor, Node node)
    {
        if (!anchor.IsEmpty)
        {
            _anchors[anchor.Value] = node;
        }
        return node;
    }

    private int LastLineOf(IEnumerable<Node?> children, Mark start)
    {
        var lastLine = Line(start);
        foreach (var child in children)
        {
            lastLine = Math.Max(lastLine, child?.LastLine ?? 0);
        }
        return lastLine;
    }

    /// <summary>
    /// A block scalar's end mark sits at the start of the line after it, past any trailing blank
    /// lines; the document's range should end at its last written line.
    /// </summary>
    private int ScalarLastLine(Scalar scalar)
    {
        var startLine = Line(scalar.Start);
        var lastLine = Line(scalar.End);
        if (scalar.End.Column == 1 && lastLine > startLine)
        {
            lastLine--;
        }
        while (lastLine > startLine && lastLine <= _lines.Length && string.IsNullOrWhiteSpace(_lines[lastLine - 1]))
        {
            lastLine--;
        }
        return lastLine;
    }

    /// <summary>First and last 1-based lines of a chunk holding content; (0, 0) when it holds none.</summary>
    private (int First, int Last) ContentRange(TextChunk chunk)
    {
        int first = 0, last = 0;
        for (var i = chunk.First; i <= chunk.Last; i++)
        {
            var line = _lines[i];
            var content = YamlChunks.IsMarker(line, "---") ? YamlChunks.IsContent(line[3..])
                : !YamlChunks.IsMarker(line, "...") && !line.StartsWith('%') && YamlChunks.IsContent(line);
            if (content)
            {
                first = first == 0 ? i + 1 : first;
                last = i + 1;
            }
        }
        return (first, last);
    }

    /// <summary>The first 1-based line in <paramref name="first"/>..<paramref name="last"/> indented with a tab.</summary>
    private int? FirstTabIndent(int first, int last)
    {
        for (var line = first; line <= last; line++)
        {
            var text = _lines[line - 1];
            var indent = text.Length - text.TrimStart(' ', '\t').Length;
            if (text.AsSpan(0, indent).Contains('\t'))
            {
                return line;
            }
        }
        return null;
    }

    /// <summary>An error "at the end of the stream" is reported on the document's last line.</summary>
    private ConfigError SyntaxError(Mark mark, string message, int lastLine)
    {
        var line = Math.Min(Line(mark), lastLine);
        var text = message.TrimEnd('.');
        if (text.Length > 0)
        {
            text = char.ToLowerInvariant(text[0]) + text[1..];
        }
        return new ConfigError($"invalid YAML: {text}") { Source = _source, Line = line, Column = Column(mark) };
    }

    private ConfigException Error(Mark mark, string message) =>
        new(new ConfigError(message) { Source = _source, Line = Line(mark), Column = Column(mark) });

    private int Line(Mark mark) => Math.Max(1, (int)mark.Line) + _offset;

    private static int Column(Mark mark) => Math.Max(1, (int)mark.Column);
}
