namespace Sluice.IntegrationTests.Infrastructure;

/// <summary>Several echo backends named b0, b1, … and the static upstream that lists them all.</summary>
internal sealed class TestBackendPool : IAsyncDisposable, IEnumerable<TestBackend>
{
    private readonly List<TestBackend> _backends = [];

    public TestBackend this[int index] => _backends[index];

    public static async Task<TestBackendPool> StartAsync(int count)
    {
        var pool = new TestBackendPool();
        for (var i = 0; i < count; i++)
        {
            pool._backends.Add(await TestBackend.StartAsync($"b{i}"));
        }
        return pool;
    }

    /// <summary>An upstream named <c>pool</c> over every backend, with <paramref name="extras"/> as more top-level fields.</summary>
    public string Upstream(string extras = "") => $$"""
        name: pool
        type: static
        spec:
          hosts:
        {{string.Join("\n", _backends.Select(b => $"  - {{ addr: 127.0.0.1, port: {b.Port} }}"))}}
        {{extras}}
        ---

        """;

    public IEnumerator<TestBackend> GetEnumerator() => _backends.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    public async ValueTask DisposeAsync()
    {
        foreach (var backend in _backends)
        {
            await backend.DisposeAsync();
        }
    }
}
