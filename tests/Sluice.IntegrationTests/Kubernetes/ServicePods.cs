using System.Net;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Kubernetes;

/// <summary>
/// The pods behind a Service, as real backends: each on its own loopback address (127.0.S.N,
/// standing in for a pod IP) and all on the same container port, as a Deployment's pods are.
/// Pods are named PREFIX-INDEX (what their <c>x-backend</c> header says).
/// </summary>
internal sealed class ServicePods : IAsyncDisposable
{
    private readonly List<TestBackend> _pods;

    private ServicePods(List<TestBackend> pods, int port)
    {
        _pods = pods;
        Port = port;
    }

    public int Port { get; }

    public TestBackend this[int index] => _pods[index];

    public int Count => _pods.Count;

    /// <summary>The pod's IP, as its EndpointSlice entry gives it.</summary>
    public string Address(int index) => _pods[index].Address.ToString();

    /// <param name="subnet">The S of 127.0.S.N: another group of pods (another ReplicaSet) gets other addresses.</param>
    public static Task<ServicePods> StartAsync(int count, string prefix = "pod", int subnet = 10) => FreePorts.RetryOnConflictAsync(async () =>
    {
        var port = FreePorts.Next();
        var pods = new List<TestBackend>();
        try
        {
            for (var i = 0; i < count; i++)
            {
                pods.Add(await TestBackend.StartAtAsync($"{prefix}-{i}", IPAddress.Parse($"127.0.{subnet}.{i + 1}"), port));
            }
        }
        catch
        {
            foreach (var pod in pods)
            {
                await pod.DisposeAsync();
            }
            throw;
        }
        return new ServicePods(pods, port);
    });

    public async ValueTask DisposeAsync()
    {
        foreach (var pod in _pods)
        {
            await pod.DisposeAsync();
        }
    }
}
