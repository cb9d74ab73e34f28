using Sluice.Plan;
using Sluice.Plugins.Serverless;

namespace Sluice.Plugins.Google;

/// <summary>A function of an upstream with a service account: called with an ID token whose audience is <paramref name="Audience"/> (the function's URL).</summary>
internal sealed record GoogleFunctionSpec(PathRewriteSpec Rewrite, ServiceAccountKey Key, string Audience) : IInvokerSpec
{
    /// <summary>Token requests are rare (one an hour per function): one client for all of them.</summary>
    private static readonly HttpClient TokenClient = new(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        Timeout = TimeSpan.FromSeconds(10),
    };

    public IInvoker CreateInvoker(InvokerServices services) =>
        new GoogleFunctionInvoker(new PathRewriteInvoker(Rewrite), new GoogleIdTokenSource(Key, Audience, TokenClient, TimeProvider.System));
}
