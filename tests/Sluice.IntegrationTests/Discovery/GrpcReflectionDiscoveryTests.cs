using System.Net;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.AspNetCore.Server;
using Grpc.Health.V1;
using Grpc.HealthCheck;
using Grpc.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sluice.Storage;

namespace Sluice.IntegrationTests.Discovery;

/// <summary>
/// A real Grpc.AspNetCore server (the gRPC health service, with its generated descriptors)
/// answering server reflection, v1 or only v1alpha: discovery lists its services and methods and
/// writes the FileDescriptorSet to the file store's discovery files.
/// </summary>
public sealed class GrpcReflectionDiscoveryTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sluice-grpc-discovery").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("v1")]
    [InlineData("v1alpha")]
    public async Task Reflection_lists_services_and_methods_and_writes_the_descriptor_set(string version)
    {
        await using var server = await StartAsync(version);
        var port = new Uri(server.Urls.First()).Port;
        Directory.CreateDirectory(Path.Combine(_dir, "upstreams"));
        await File.WriteAllTextAsync(Path.Combine(_dir, "upstreams", "health.yaml"), $$"""
            name: health
            type: static
            use_http2: true
            spec: { hosts: [{ addr: 127.0.0.1, port: {{port}} }] }
            metadata: { annotations: { discovery.sluice.io/function_discovery: enabled } }
            """);
        var store = new FileStore(_dir);

        var state = Assert.Single(await Discover.OnceAsync(store));

        Assert.True(state.State == "found", state.Message);
        var snapshot = await store.LoadAsync(CancellationToken.None);
        var record = snapshot.Discovered["health"];
        Assert.Equal("gRPC", record.ServiceInfo?.Type);
        var properties = record.ServiceInfo!.Properties.Root;
        Assert.Equal(["Health"], properties.GetProperty("grpc_service_names").EnumerateArray().Select(e => e.GetString()));
        var fileRef = properties.GetProperty("descriptors_file_ref").GetString()!;
        // One service: functions are named by method alone (Gloo's rule).
        Assert.Equal(Health.Descriptor.Methods.Select(m => m.Name).Order(StringComparer.Ordinal), record.Functions.Select(f => f.Name));
        Assert.Contains("Check", record.Functions.Select(f => f.Name));
        Assert.Equal("grpc.health.v1.Health", Discover.Get(record.Functions[0], "service"));

        // The descriptor set is among the snapshot's files and on disk beside the store's records.
        var set = FileDescriptorSet.Parser.ParseFrom(snapshot.Files[fileRef].ToArray());
        var file = Assert.Single(set.File, f => f.Service.Any(s => s.Name == "Health"));
        Assert.Equal("grpc.health.v1", file.Package);
        Assert.Contains(Directory.GetFiles(Path.Combine(_dir, ".sluice", "discovery", "files")), f => File.ReadAllBytes(f).AsSpan().SequenceEqual(set.ToByteArray()));
        // The user's file is untouched.
        Assert.DoesNotContain("functions", await File.ReadAllTextAsync(Path.Combine(_dir, "upstreams", "health.yaml")));
    }

    private static async Task<WebApplication> StartAsync(string reflectionVersion)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(new HealthServiceImpl());
        builder.Services.AddSingleton(new ReflectionServiceImpl(Health.Descriptor));
        builder.Services.AddSingleton(new ReflectionV1ServiceImpl(Health.Descriptor));
        var app = builder.Build();
        app.MapGrpcService<HealthServiceImpl>();
        if (reflectionVersion == "v1")
        {
            app.MapGrpcService<ReflectionV1ServiceImpl>();
        }
        else
        {
            app.MapGrpcService<ReflectionServiceImpl>();
        }
        await app.StartAsync();
        return app;
    }
}
