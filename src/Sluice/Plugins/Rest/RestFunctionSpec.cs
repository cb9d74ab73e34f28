using Sluice.Api;
using Sluice.Plan;
using Sluice.Plugins.Rest.Templates;

namespace Sluice.Plugins.Rest;

/// <summary>
/// A REST function compiled once per config change: path, header and body templates already
/// parsed. Compares by the templates' source texts, so an unchanged function keeps its invoker.
/// </summary>
internal sealed record RestFunctionSpec : IInvokerSpec
{
    /// <summary>The outgoing path and query (<c>path</c>, or the <c>:path</c> header); null keeps the request's.</summary>
    public Template? Path { get; init; }

    /// <summary>The <c>:method</c> header's template; null keeps the request's method.</summary>
    public Template? Method { get; init; }

    /// <summary>Other headers, <c>:authority</c> (the Host) included.</summary>
    public ValueList<HeaderTemplate> Headers { get; init; } = ValueList<HeaderTemplate>.Empty;

    /// <summary>The body template; null with <see cref="RemoveBody"/> false passes the client's body through.</summary>
    public Template? Body { get; init; }

    public bool RemoveBody { get; init; }

    /// <summary>Largest request body read when a template needs its fields; larger answers 413.</summary>
    public long MaxBodyBytes { get; init; }

    /// <summary>Every variable any request template reads; empty means the body is never read.</summary>
    public IReadOnlySet<string> Variables { get; init; } = new HashSet<string>();

    /// <summary>An empty spec: no template, the request goes out as it came.</summary>
    public bool ChangesNothing => Path is null && Method is null && Headers.Count == 0 && Body is null && !RemoveBody;

    public IInvoker CreateInvoker(InvokerServices services) => new RestInvoker(this);

    public bool Equals(RestFunctionSpec? other) =>
        other is not null && Equals(Path, other.Path) && Equals(Method, other.Method) && Headers.Equals(other.Headers)
        && Equals(Body, other.Body) && RemoveBody == other.RemoveBody && MaxBodyBytes == other.MaxBodyBytes;

    public override int GetHashCode() => HashCode.Combine(Path, Method, Headers, Body, RemoveBody, MaxBodyBytes);
}
