namespace Sluice.Plugins.Grpc;

/// <summary>
/// A <c>google.api.http</c> path template, parsed once per config change and matched per request
/// without allocating (the grammar is in google/api/http.proto):
/// <code>
/// Template = "/" Segments [ Verb ] ;   Segments = Segment { "/" Segment } ;
/// Segment  = "*" | "**" | LITERAL | Variable ;   Variable = "{" FieldPath [ "=" Segments ] "}" ;
/// FieldPath = IDENT { "." IDENT } ;   Verb = ":" LITERAL ;
/// </code>
/// <c>{name}</c> is <c>{name=*}</c>. <c>**</c> (zero or more segments) may only be the last
/// segment, as in the reference implementations. Parsed by hand: the grammar is small, and a
/// regex would neither give the variable boundaries nor name the mistake.
/// </summary>
internal sealed class PathTemplate
{
    /// <summary>Longer paths are not matched (no template has that many segments).</summary>
    public const int MaxSegments = 64;

    private readonly Segment[] _segments;
    private readonly string? _verbSuffix;

    private PathTemplate(string text, Segment[] segments, TemplateVariable[] variables, string? verb)
    {
        Text = text;
        _segments = segments;
        Variables = variables;
        Verb = verb;
        _verbSuffix = verb is null ? null : ":" + verb;
        LiteralCount = segments.Count(s => s.Kind == SegmentKind.Literal);
        EndsWithAnyPath = segments.Length > 0 && segments[^1].Kind == SegmentKind.AnyPath;
    }

    public string Text { get; }

    public IReadOnlyList<TemplateVariable> Variables { get; }

    public string? Verb { get; }

    /// <summary>More literals = more specific: such templates are tried first.</summary>
    public int LiteralCount { get; }

    public bool EndsWithAnyPath { get; }

    public int SegmentCount => _segments.Length;

    /// <summary>Parses a template; <see cref="FormatException"/> says what is wrong and where.</summary>
    public static PathTemplate Parse(string text)
    {
        if (!text.StartsWith('/'))
        {
            throw new FormatException($"'{text}' must start with '/'");
        }
        var parser = new Parser(text);
        return parser.Parse();
    }

    /// <summary>
    /// Matches a request path (as sent: still percent-encoded). On success each variable's
    /// value is a range of <paramref name="path"/>, written to <paramref name="values"/> (one per
    /// <see cref="Variables"/> entry).
    /// </summary>
    public bool TryMatch(string path, Span<Range> values)
    {
        var p = path.AsSpan();
        if (p.Length == 0 || p[0] != '/')
        {
            return false;
        }
        var end = p.Length;
        if (_verbSuffix is not null)
        {
            if (!p.EndsWith(_verbSuffix, StringComparison.Ordinal))
            {
                return false;
            }
            end -= _verbSuffix.Length;
        }

        // Segment boundaries of the path, after the leading '/'.
        Span<Range> segments = stackalloc Range[MaxSegments];
        var count = 0;
        if (end > 1)
        {
            var start = 1;
            for (var i = 1; i <= end; i++)
            {
                if (i == end || p[i] == '/')
                {
                    if (count == MaxSegments)
                    {
                        return false;
                    }
                    segments[count++] = new Range(start, i);
                    start = i + 1;
                }
            }
        }

        var fixedCount = EndsWithAnyPath ? _segments.Length - 1 : _segments.Length;
        if (EndsWithAnyPath ? count < fixedCount : count != fixedCount)
        {
            return false;
        }
        for (var i = 0; i < fixedCount; i++)
        {
            var segment = p[segments[i]];
            var expected = _segments[i];
            if (expected.Kind == SegmentKind.Literal ? !segment.SequenceEqual(expected.Literal) : segment.IsEmpty)
            {
                return false;
            }
        }

        for (var v = 0; v < Variables.Count; v++)
        {
            var variable = Variables[v];
            var first = variable.StartSegment;
            var last = variable.EndSegment == _segments.Length && EndsWithAnyPath ? count : variable.EndSegment;
            values[v] = first >= last
                ? new Range(end, end)
                : new Range(segments[first].Start, segments[last - 1].End);
        }
        return true;
    }

    public override string ToString() => Text;

    private enum SegmentKind
    {
        Literal,
        AnySegment,
        AnyPath,
    }

    private readonly record struct Segment(SegmentKind Kind, string Literal);

    private sealed class Parser(string text)
    {
        private readonly List<Segment> _segments = [];
        private readonly List<TemplateVariable> _variables = [];
        private int _position = 1;

        public PathTemplate Parse()
        {
            var verbAt = VerbPosition();
            var end = verbAt < 0 ? text.Length : verbAt;
            string? verb = null;
            if (verbAt >= 0)
            {
                verb = text[(verbAt + 1)..];
                if (verb.Length == 0 || verb.Any(c => c is '/' or '{' or '}' or '*' or ':'))
                {
                    throw Error(verbAt, $"the verb ':{verb}' must be a literal");
                }
            }
            if (end > 1)
            {
                ParseSegments(end, inVariable: false);
            }
            if (_position != end)
            {
                throw Error(_position, "unexpected character");
            }
            for (var i = 0; i < _segments.Count - 1; i++)
            {
                if (_segments[i].Kind == SegmentKind.AnyPath)
                {
                    throw new FormatException($"'{text}': '**' may only be the last segment");
                }
            }
            return new PathTemplate(text, [.. _segments], [.. _variables], verb);
        }

        /// <summary>The ':' that starts the verb: after the last '/' and outside braces.</summary>
        private int VerbPosition()
        {
            var depth = 0;
            var colon = -1;
            for (var i = 0; i < text.Length; i++)
            {
                switch (text[i])
                {
                    case '{':
                        depth++;
                        break;
                    case '}':
                        depth--;
                        break;
                    case '/' when depth == 0:
                        colon = -1;
                        break;
                    case ':' when depth == 0:
                        colon = i;
                        break;
                }
            }
            return colon;
        }

        private void ParseSegments(int end, bool inVariable)
        {
            while (true)
            {
                ParseSegment(end, inVariable);
                if (_position < end && text[_position] == '/')
                {
                    _position++;
                    continue;
                }
                return;
            }
        }

        private void ParseSegment(int end, bool inVariable)
        {
            if (_position >= end || text[_position] == '/')
            {
                throw Error(_position, "a segment is missing (empty segment or trailing '/')");
            }
            var c = text[_position];
            if (c == '{')
            {
                if (inVariable)
                {
                    throw Error(_position, "variables cannot be nested");
                }
                ParseVariable(end);
                return;
            }
            if (c == '*')
            {
                var any = _position + 1 < end && text[_position + 1] == '*';
                _position += any ? 2 : 1;
                _segments.Add(new Segment(any ? SegmentKind.AnyPath : SegmentKind.AnySegment, ""));
                return;
            }
            var start = _position;
            while (_position < end && text[_position] is not ('/' or '{' or '}' or '*'))
            {
                _position++;
            }
            if (_position == start)
            {
                throw Error(start, $"unexpected '{c}'");
            }
            _segments.Add(new Segment(SegmentKind.Literal, text[start.._position]));
        }

        private void ParseVariable(int end)
        {
            var open = _position++;
            var start = _position;
            while (_position < end && text[_position] is not ('=' or '}'))
            {
                _position++;
            }
            if (_position >= end)
            {
                throw Error(open, "'{' is not closed");
            }
            var fieldPath = text[start.._position];
            if (!IsFieldPath(fieldPath))
            {
                throw Error(start, $"'{fieldPath}' is not a field path (identifiers joined by '.')");
            }
            if (_variables.Any(v => v.FieldPath == fieldPath))
            {
                throw Error(start, $"field '{fieldPath}' is bound twice");
            }
            var first = _segments.Count;
            if (text[_position] == '=')
            {
                _position++;
                ParseSegments(end, inVariable: true);
            }
            else
            {
                _segments.Add(new Segment(SegmentKind.AnySegment, ""));
            }
            if (_position >= end || text[_position] != '}')
            {
                throw Error(open, "'{' is not closed");
            }
            _position++;
            _variables.Add(new TemplateVariable(fieldPath, first, _segments.Count));
        }

        private static bool IsFieldPath(string path)
        {
            if (path.Length == 0)
            {
                return false;
            }
            foreach (var part in path.Split('.'))
            {
                if (part.Length == 0 || !(char.IsAsciiLetter(part[0]) || part[0] == '_') || !part.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
                {
                    return false;
                }
            }
            return true;
        }

        private FormatException Error(int position, string why) => new($"'{text}' at {position}: {why}");
    }
}

/// <summary>A variable of a template: the field it sets and the segments it covers (end exclusive).</summary>
internal sealed record TemplateVariable(string FieldPath, int StartSegment, int EndSegment);
