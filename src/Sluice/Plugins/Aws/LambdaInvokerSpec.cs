using Sluice.Plan;

namespace Sluice.Plugins.Aws;

/// <summary>One Lambda function, as plan data: where, with which credentials, which version.</summary>
internal sealed record LambdaInvokerSpec(AwsUpstreamSpec Upstream, string FunctionName, string? Qualifier) : IInvokerSpec
{
    public IInvoker CreateInvoker(InvokerServices services) => new LambdaInvoker(this, services);
}
