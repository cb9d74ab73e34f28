using Sluice.Plan;
using Sluice.Plugins.Serverless;

namespace Sluice.Plugins.Google;

/// <summary>
/// A private Cloud Function: forwarded as any function (its URL's path and host), with
/// <c>Authorization: Bearer</c> an ID token for the function's URL. Without a token there is no
/// call: the answer is a 502 <c>google_id_token_failed</c>, the token endpoint's words in the log.
/// </summary>
internal sealed class GoogleFunctionInvoker(PathRewriteInvoker rewrite, GoogleIdTokenSource tokens) : IInvoker, IAsyncDisposable
{
    public Task InvokeAsync(RouteContext context)
    {
        var authorization = tokens.GetAuthorizationAsync(context.HttpContext.RequestAborted);
        return authorization.IsCompletedSuccessfully
            ? rewrite.ForwardAsync(context, authorization.Result)
            : InvokeAfterMintAsync(context, authorization);
    }

    private async Task InvokeAfterMintAsync(RouteContext context, ValueTask<string> pending)
    {
        string authorization;
        try
        {
            authorization = await pending;
        }
        catch (GoogleIdTokenException e)
        {
            SluiceErrorFeature.Set(context.HttpContext, SluiceErrorCode.GoogleIdTokenFailed, e.Message + " (details are in the gateway's log)", detail: e.Detail);
            return;
        }
        catch (OperationCanceledException) when (context.HttpContext.RequestAborted.IsCancellationRequested)
        {
            return;
        }
        await rewrite.ForwardAsync(context, authorization);
    }

    public ValueTask DisposeAsync()
    {
        tokens.Dispose();
        return ValueTask.CompletedTask;
    }
}
