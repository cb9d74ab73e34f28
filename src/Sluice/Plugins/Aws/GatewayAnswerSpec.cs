using Sluice.Gateway;
using Sluice.Plan;

namespace Sluice.Plugins.Aws;

/// <summary>An invoker that always gives the same gateway answer (e.g. a route that names no function).</summary>
internal sealed record GatewayAnswerSpec(GatewayAnswer Answer) : IInvokerSpec, IInvoker
{
    public IInvoker CreateInvoker(InvokerServices services) => this;

    public Task InvokeAsync(InvocationContext context) =>
        GatewayAnswers.WriteAsync(context.HttpContext, Answer.StatusCode, Answer.Code, Answer.Message);
}
