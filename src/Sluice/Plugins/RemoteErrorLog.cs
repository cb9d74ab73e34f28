using Microsoft.Extensions.Logging;
using Sluice.Gateway;

namespace Sluice.Plugins;

/// <summary>
/// Where a function endpoint's own error text goes (Lambda's errorMessage, a NATS server's -ERR,
/// JetStream's description): the log, for the operator. The client gets the status and the
/// <c>x-sluice-error</c> code only, since the text can carry the remote side's internals.
/// </summary>
internal static partial class RemoteErrorLog
{
    [LoggerMessage(EventId = EventIds.FunctionEndpointFailed, Level = LogLevel.Warning, Message = "Function '{Function}' failed ({Code}): {Detail}")]
    public static partial void FunctionFailed(ILogger logger, string function, string code, string detail);
}
