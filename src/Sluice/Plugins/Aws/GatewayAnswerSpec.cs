using Sluice.Plan;

namespace Sluice.Plugins.Aws;

/// <summary>An invoker that always gives the same gateway answer (e.g. a route that names no function).</summary>
internal sealed record GatewayAnswerSpec(SluiceError Answer) : IInvokerSpec, IInvoker
{
    public IInvoker CreateInvoker(InvokerServices services) => this;

    public Task InvokeAsync(RouteContext context)
    {
        SluiceErrorFeature.Set(context.HttpContext, Answer);
        return Task.CompletedTask;
    }
}
