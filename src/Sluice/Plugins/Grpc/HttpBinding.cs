using Sluice.Plugins.Grpc.Codec;

namespace Sluice.Plugins.Grpc;

/// <summary>
/// How an HTTP request reaches a method: Gloo's (function name, JSON body is the message) or one
/// <c>google.api.http</c> rule (verb and path template, where the body goes, what of the response
/// is answered). Every field path is compiled here, at plan time.
/// </summary>
internal sealed class HttpBinding
{
    public required GrpcMethod Method { get; init; }

    /// <summary>The HTTP method; null for Gloo's mapping (any method).</summary>
    public string? Verb { get; init; }

    /// <summary>The path template; null for Gloo's mapping.</summary>
    public PathTemplate? Template { get; init; }

    /// <summary>One codec per <see cref="PathTemplate.Variables"/> entry.</summary>
    public FieldPathCodec[] Variables { get; init; } = [];

    public BodyMapping Body { get; init; }

    /// <summary>The field the body sets, for <see cref="BodyMapping.Field"/>.</summary>
    public FieldPathCodec? BodyField { get; init; }

    /// <summary>The field of the response that is answered (<c>response_body</c>); null = the whole message.</summary>
    public FieldPathCodec? ResponseBody { get; init; }

    /// <summary>Query parameters set fields (everything but <c>body: "*"</c> rules).</summary>
    public bool QueryParameters { get; init; } = true;

    /// <summary>For messages: <c>GET /v1/shelves/{shelf}</c>, or the method's name.</summary>
    public string Describe() => Template is null ? Method.FullName : $"{Verb} {Template.Text}";
}

internal enum BodyMapping
{
    /// <summary>The request has no body (GET, DELETE, or a rule without <c>body</c>).</summary>
    None,

    /// <summary><c>body: "*"</c>, and Gloo's mapping: the body is the whole message.</summary>
    Message,

    /// <summary><c>body: "field"</c>: the body is that field's value.</summary>
    Field,
}
