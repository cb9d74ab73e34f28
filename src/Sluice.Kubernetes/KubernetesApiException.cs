using System.Net;

namespace Sluice.Kubernetes;

/// <summary>The API server answered with an error status (its <c>Status</c> object's message, when it sent one).</summary>
public sealed class KubernetesApiException(HttpStatusCode statusCode, string message) : Exception(message)
{
    public HttpStatusCode StatusCode { get; } = statusCode;
}
