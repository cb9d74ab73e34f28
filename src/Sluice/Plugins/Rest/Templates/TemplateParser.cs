using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Sluice.Plugins.Rest.Templates;

/// <summary>
/// A recursive-descent parser for the inja subset REST templates use. Every error names the line
/// and column in the template, so a config author can find it without counting characters.
/// </summary>
internal sealed class TemplateParser(string source, TemplateEscaping escaping)
{
    private static readonly string[] Comparisons = ["==", "!=", "<=", ">=", "<", ">"];

    private int _pos;
    private Token _token;

    /// <summary>A URL template's literal '?' or '#' came before: outputs from here on are query values.</summary>
    private bool _inQuery;

    public TemplateNode[] ParseTemplate()
    {
        var nodes = ParseNodes(out var end);
        if (end is { } tag)
        {
            throw Error(tag.Start, $"'{{% {tag.Keyword} %}}' has no matching opening tag");
        }
        return nodes;
    }

    /// <summary>Parses text and tags up to the end, or up to a tag that closes the caller's block.</summary>
    private TemplateNode[] ParseNodes(out BlockTag? terminator)
    {
        var nodes = new List<TemplateNode>();
        var text = new StringBuilder();
        terminator = null;
        while (_pos < source.Length)
        {
            var open = NextOpening(_pos);
            if (open < 0)
            {
                text.Append(source, _pos, source.Length - _pos);
                _pos = source.Length;
                break;
            }
            text.Append(source, _pos, open - _pos);
            _pos = open + 2;
            switch (source[open + 1])
            {
                case '#':
                    var close = source.IndexOf("#}", _pos, StringComparison.Ordinal);
                    if (close < 0)
                    {
                        throw Error(open, "comment '{#' is not closed with '#}'");
                    }
                    _pos = close + 2;
                    break;
                case '{':
                    Flush(text, nodes);
                    Advance();
                    var expression = ParseExpression();
                    Expect("}}", open, "'{{' is not closed with '}}'");
                    nodes.Add(new OutputNode(expression, EscapeFor(expression)));
                    break;
                default:
                    Flush(text, nodes);
                    var tag = ParseTag(open);
                    if (tag is not null)
                    {
                        terminator = tag;
                        return [.. nodes];
                    }
                    break;
            }
        }
        Flush(text, nodes);
        return [.. nodes];
    }

    /// <summary>Reads one <c>{% … %}</c>; blocks (if, for) are parsed whole, closers are returned.</summary>
    private BlockTag? ParseTag(int open)
    {
        Advance();
        if (_token.Kind != TokenKind.Name)
        {
            throw Error(_token.Start, "expected a tag name (if, else, endif, for, endfor) after '{%'");
        }
        var keyword = _token.Text;
        switch (keyword)
        {
            case "if":
                Advance();
                ParseIf(open);
                return null;
            case "for":
                Advance();
                ParseFor(open);
                return null;
            case "else":
                Advance();
                if (_token is { Kind: TokenKind.Name, Text: "if" })
                {
                    Advance();
                    var condition = ParseExpression();
                    Expect("%}", open, "'{%' is not closed with '%}'");
                    return new BlockTag("else if", open, condition);
                }
                Expect("%}", open, "'{%' is not closed with '%}'");
                return new BlockTag("else", open, null);
            case "endif":
            case "endfor":
                Advance();
                Expect("%}", open, "'{%' is not closed with '%}'");
                return new BlockTag(keyword, open, null);
            default:
                throw Error(_token.Start, $"unknown tag '{keyword}' (known: if, else if, else, endif, for, endfor)");
        }
    }

    private void ParseIf(int open)
    {
        var branches = new List<(TemplateExpression, TemplateNode[])>();
        var condition = ParseExpression();
        Expect("%}", open, "'{%' is not closed with '%}'");
        while (true)
        {
            var body = ParseNodes(out var end);
            switch (end?.Keyword)
            {
                case "else if":
                    branches.Add((condition, body));
                    condition = end.Condition!;
                    continue;
                case "else":
                    branches.Add((condition, body));
                    var otherwise = ParseNodes(out var close);
                    if (close?.Keyword != "endif")
                    {
                        throw Unclosed(open, close, "{% if %}", "{% endif %}");
                    }
                    _pending.Add(new IfNode(branches, otherwise));
                    return;
                case "endif":
                    branches.Add((condition, body));
                    _pending.Add(new IfNode(branches, null));
                    return;
                default:
                    throw Unclosed(open, end, "{% if %}", "{% endif %}");
            }
        }
    }

    private void ParseFor(int open)
    {
        var first = ExpectName("a loop variable after 'for'");
        string? key = null;
        var value = first;
        if (_token.Kind == TokenKind.Comma)
        {
            Advance();
            key = first;
            value = ExpectName("a second loop variable after ','");
        }
        if (_token is not { Kind: TokenKind.Name, Text: "in" })
        {
            throw Error(_token.Start, "expected 'in' in '{% for x in list %}'");
        }
        Advance();
        var items = ParseExpression();
        Expect("%}", open, "'{%' is not closed with '%}'");
        var body = ParseNodes(out var end);
        if (end?.Keyword != "endfor")
        {
            throw Unclosed(open, end, "{% for %}", "{% endfor %}");
        }
        _pending.Add(new ForNode(key, value, items, body));
    }

    // Blocks are parsed inside ParseTag but belong to the caller's node list.
    private readonly List<TemplateNode> _pending = [];

    /// <summary>How a URL template encodes an output, from where it stands; <c>raw(x)</c> is written as it is.</summary>
    private Func<string, string>? EscapeFor(TemplateExpression expression) =>
        escaping != TemplateEscaping.Url || expression is CallExpression { Function.Name: TemplateFunctions.Raw } ? null
        : _inQuery ? UrlEncoding.QueryValue
        : UrlEncoding.PathSegment;

    private void Flush(StringBuilder text, List<TemplateNode> nodes)
    {
        if (text.Length > 0)
        {
            // Text is flushed in document order, before any output that follows it.
            var literal = text.ToString();
            _inQuery |= literal.AsSpan().IndexOfAny('?', '#') >= 0;
            nodes.Add(new TextNode(literal));
            text.Clear();
        }
        nodes.AddRange(_pending);
        _pending.Clear();
    }

    private TemplateExpression ParseExpression() => ParseOr();

    private TemplateExpression ParseOr()
    {
        var start = _token.Start;
        var left = ParseAnd();
        while (_token is { Kind: TokenKind.Name, Text: "or" })
        {
            Advance();
            left = new BinaryExpression(TextFrom(start), "or", left, ParseAnd());
        }
        return left;
    }

    private TemplateExpression ParseAnd()
    {
        var start = _token.Start;
        var left = ParseNot();
        while (_token is { Kind: TokenKind.Name, Text: "and" })
        {
            Advance();
            left = new BinaryExpression(TextFrom(start), "and", left, ParseNot());
        }
        return left;
    }

    private TemplateExpression ParseNot()
    {
        var start = _token.Start;
        if (_token is { Kind: TokenKind.Name, Text: "not" })
        {
            Advance();
            var operand = ParseNot();
            return new NotExpression(TextFrom(start), operand);
        }
        return ParseComparison();
    }

    private TemplateExpression ParseComparison()
    {
        var start = _token.Start;
        var left = ParsePipe();
        if (_token.Kind == TokenKind.Operator)
        {
            var op = _token.Text;
            Advance();
            return new BinaryExpression(TextFrom(start), op, left, ParsePipe());
        }
        return left;
    }

    /// <summary><c>x | upper</c> is <c>upper(x)</c>; <c>x | default("y")</c> is <c>default(x, "y")</c>.</summary>
    private TemplateExpression ParsePipe()
    {
        var start = _token.Start;
        var value = ParsePrimary();
        while (_token.Kind == TokenKind.Pipe)
        {
            Advance();
            var nameStart = _token.Start;
            var name = ExpectName("a function name after '|'");
            var arguments = new List<TemplateExpression> { value };
            if (_token.Kind == TokenKind.LeftParen)
            {
                arguments.AddRange(ParseArguments());
            }
            value = Bind(name, nameStart, arguments, TextFrom(start));
        }
        return value;
    }

    private TemplateExpression ParsePrimary()
    {
        var token = _token;
        switch (token.Kind)
        {
            case TokenKind.String:
                Advance();
                return new LiteralExpression(token.Text, token.Value);
            case TokenKind.Number:
                Advance();
                return new LiteralExpression(token.Text, token.Value);
            case TokenKind.LeftParen:
                Advance();
                var inner = ParseExpression();
                if (_token.Kind != TokenKind.RightParen)
                {
                    throw Error(_token.Start, $"expected ')' to close '(' at {Where(token.Start)}");
                }
                Advance();
                return inner;
            case TokenKind.Name:
                Advance();
                switch (token.Text)
                {
                    case "true":
                        return new LiteralExpression("true", true);
                    case "false":
                        return new LiteralExpression("false", false);
                    case "null":
                        return new LiteralExpression("null", null);
                }
                if (_token.Kind == TokenKind.LeftParen)
                {
                    var arguments = ParseArguments();
                    return Bind(token.Text, token.Start, arguments, TextFrom(token.Start));
                }
                if (token.Text.StartsWith('.') || token.Text.EndsWith('.') || token.Text.Contains("..", StringComparison.Ordinal))
                {
                    throw Error(token.Start, $"'{token.Text}' is not a valid variable name");
                }
                return new VariableExpression(token.Text);
            case TokenKind.End:
                throw Error(token.Start, "unexpected end of template in an expression");
            default:
                throw Error(token.Start, token.Kind is TokenKind.Close
                    ? $"expected an expression before '{token.Text}'"
                    : $"unexpected '{token.Text}' in an expression");
        }
    }

    private List<TemplateExpression> ParseArguments()
    {
        var open = _token.Start;
        Advance();
        var arguments = new List<TemplateExpression>();
        if (_token.Kind == TokenKind.RightParen)
        {
            Advance();
            return arguments;
        }
        while (true)
        {
            arguments.Add(ParseExpression());
            if (_token.Kind == TokenKind.Comma)
            {
                Advance();
                continue;
            }
            if (_token.Kind == TokenKind.RightParen)
            {
                Advance();
                return arguments;
            }
            throw Error(_token.Start, $"expected ',' or ')' in the argument list opened at {Where(open)}");
        }
    }

    private TemplateExpression Bind(string name, int start, List<TemplateExpression> arguments, string text)
    {
        if (!TemplateFunctions.All.TryGetValue(name, out var function))
        {
            throw Error(start, $"unknown function '{name}' (known: {string.Join(", ", TemplateFunctions.All.Keys.Order(StringComparer.Ordinal))})");
        }
        if (arguments.Count < function.MinArguments || arguments.Count > function.MaxArguments)
        {
            var expected = function.MinArguments == function.MaxArguments ? $"{function.MinArguments}" : $"{function.MinArguments} to {function.MaxArguments}";
            throw Error(start, $"{name}() takes {expected} argument{(function.MaxArguments == 1 ? "" : "s")}, got {arguments.Count}");
        }
        return new CallExpression(text, function, [.. arguments]);
    }

    private string ExpectName(string what)
    {
        if (_token.Kind != TokenKind.Name)
        {
            throw Error(_token.Start, $"expected {what}");
        }
        var name = _token.Text;
        Advance();
        return name;
    }

    private void Expect(string close, int open, string unclosed)
    {
        if (_token.Kind == TokenKind.Close && _token.Text == close)
        {
            _pos = _token.Start + 2;
            return;
        }
        if (_token.Kind is TokenKind.End or TokenKind.Close)
        {
            throw Error(open, unclosed);
        }
        throw Error(_token.Start, $"unexpected '{_token.Text}', expected '{close}'");
    }

    private string TextFrom(int start) => source[start.._token.Start].Trim();

    private int NextOpening(int from)
    {
        for (var i = source.IndexOf('{', from); i >= 0 && i + 1 < source.Length; i = source.IndexOf('{', i + 1))
        {
            if (source[i + 1] is '{' or '%' or '#')
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>Reads the next expression token at <see cref="_pos"/> into <see cref="_token"/>.</summary>
    private void Advance()
    {
        while (_pos < source.Length && char.IsWhiteSpace(source[_pos]))
        {
            _pos++;
        }
        var start = _pos;
        if (_pos >= source.Length)
        {
            _token = new Token(TokenKind.End, "", start, null);
            return;
        }
        var c = source[_pos];
        var next = _pos + 1 < source.Length ? source[_pos + 1] : '\0';
        if ((c == '}' && next == '}') || (c == '%' && next == '}'))
        {
            _token = new Token(TokenKind.Close, source.Substring(_pos, 2), start, null);
            // Not consumed: Expect() moves past it, so a nested parse cannot run over it.
            return;
        }
        if (char.IsAsciiLetter(c) || c == '_')
        {
            while (_pos < source.Length && (char.IsAsciiLetterOrDigit(source[_pos]) || source[_pos] is '_' or '.' or '-'))
            {
                _pos++;
            }
            _token = new Token(TokenKind.Name, source[start.._pos], start, null);
            return;
        }
        if (char.IsAsciiDigit(c) || (c == '-' && char.IsAsciiDigit(next)))
        {
            _pos++;
            while (_pos < source.Length && (char.IsAsciiDigit(source[_pos]) || source[_pos] is '.' or 'e' or 'E' or '+' or '-'))
            {
                if (source[_pos] is '+' or '-' && source[_pos - 1] is not ('e' or 'E'))
                {
                    break;
                }
                _pos++;
            }
            var text = source[start.._pos];
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            {
                throw Error(start, $"'{text}' is not a number");
            }
            _token = new Token(TokenKind.Number, text, start, JsonDocument.Parse(text).RootElement.Clone());
            return;
        }
        if (c is '"' or '\'')
        {
            _token = ReadString(c, start);
            return;
        }
        foreach (var op in Comparisons)
        {
            if (string.CompareOrdinal(source, _pos, op, 0, op.Length) == 0)
            {
                _pos += op.Length;
                _token = new Token(TokenKind.Operator, op, start, null);
                return;
            }
        }
        _pos++;
        _token = c switch
        {
            '(' => new Token(TokenKind.LeftParen, "(", start, null),
            ')' => new Token(TokenKind.RightParen, ")", start, null),
            ',' => new Token(TokenKind.Comma, ",", start, null),
            '|' => new Token(TokenKind.Pipe, "|", start, null),
            _ => throw Error(start, $"unexpected '{c}' in an expression"),
        };
    }

    private Token ReadString(char quote, int start)
    {
        var value = new StringBuilder();
        _pos++;
        while (_pos < source.Length)
        {
            var c = source[_pos++];
            if (c == quote)
            {
                return new Token(TokenKind.String, source[start.._pos], start, value.ToString());
            }
            if (c == '\\' && _pos < source.Length)
            {
                var escaped = source[_pos++];
                value.Append(escaped switch { 'n' => '\n', 't' => '\t', 'r' => '\r', _ => escaped });
                continue;
            }
            value.Append(c);
        }
        throw Error(start, $"string starting here is not closed with {quote}");
    }

    private TemplateSyntaxException Unclosed(int open, BlockTag? found, string block, string closer) => found is null
        ? Error(open, $"'{block}' is not closed with '{closer}'")
        : Error(found.Start, $"'{{% {found.Keyword} %}}' does not close '{block}' opened at {Where(open)} (expected '{closer}')");

    private string Where(int offset)
    {
        var (line, column) = LineColumn(offset);
        return $"line {line}, column {column}";
    }

    private TemplateSyntaxException Error(int offset, string reason)
    {
        var (line, column) = LineColumn(offset);
        return new TemplateSyntaxException(line, column, reason);
    }

    private (int Line, int Column) LineColumn(int offset)
    {
        var line = 1;
        var lineStart = 0;
        for (var i = 0; i < offset && i < source.Length; i++)
        {
            if (source[i] == '\n')
            {
                line++;
                lineStart = i + 1;
            }
        }
        return (line, offset - lineStart + 1);
    }

    private sealed record BlockTag(string Keyword, int Start, TemplateExpression? Condition);

    private enum TokenKind
    {
        End,
        Close,
        Name,
        String,
        Number,
        Operator,
        LeftParen,
        RightParen,
        Comma,
        Pipe,
    }

    private readonly record struct Token(TokenKind Kind, string Text, int Start, object? Value);
}
