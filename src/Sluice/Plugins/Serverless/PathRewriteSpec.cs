using Sluice.Plan;

namespace Sluice.Plugins.Serverless;

/// <summary>
/// A function served by forwarding to its upstream with a fixed path (and optionally a method,
/// a Host, and one extra header such as a function key): how Azure, Google Cloud, OpenFaaS,
/// Fission and Fn functions are called. The client's query string is kept.
/// </summary>
internal sealed record PathRewriteSpec(string Path) : IInvokerSpec
{
    public string? Method { get; init; }

    public string? Host { get; init; }

    public string? HeaderName { get; init; }

    public string? HeaderValue { get; init; }

    public IInvoker CreateInvoker(InvokerServices services) => new PathRewriteInvoker(this);

    // The header may carry a key: keep it out of logs and the plan dump.
    public override string ToString() => $"PathRewriteSpec {{ Path = {Path}, Method = {Method}, Host = {Host}, HeaderName = {HeaderName} }}";
}
