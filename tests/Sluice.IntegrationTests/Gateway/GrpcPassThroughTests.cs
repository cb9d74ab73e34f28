using System.Net;
using System.Text;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Gateway;

/// <summary>
/// A real gRPC server (Grpc.AspNetCore) behind the gateway and a real gRPC client (Grpc.Net.Client)
/// in front of it: HTTP/2 on both sides, messages and trailer statuses through unchanged.
/// </summary>
public sealed class GrpcPassThroughTests(ITestOutputHelper output) : GatewayTest(output)
{
    private WebApplication _grpc = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _grpc = await FreePorts.RetryOnConflictAsync(async () =>
        {
            var port = FreePorts.Next();
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, l => l.Protocols = HttpProtocols.Http2));
            builder.Services.AddGrpc();
            builder.Services.AddSingleton<IServiceMethodProvider<Greeter>, GreeterMethods>();
            var app = builder.Build();
            app.MapGrpcService<Greeter>();
            await app.StartAsync();
            await Gateway.ApplyAsync($$"""
                name: greeter
                type: static
                use_http2: true
                spec: { hosts: [{ addr: 127.0.0.1, port: {{port}} }] }
                ---
                name: default
                routes:
                - request_matcher: { path_prefix: /sluice.test.Greeter/ }
                  single_destination: { upstream: { name: greeter } }
                """);
            return app;
        });
    }

    public override async Task DisposeAsync()
    {
        await _grpc.DisposeAsync();
        await base.DisposeAsync();
    }

    [Fact]
    public async Task Unary_call_and_error_status_pass_through()
    {
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{Gateway.Options.Http2Port}");
        var invoker = channel.CreateCallInvoker();

        var reply = await invoker.AsyncUnaryCall(Greeter.SayHelloMethod, null, new CallOptions(), "Sluice");
        Assert.Equal("hello Sluice", reply);

        var error = await Assert.ThrowsAsync<RpcException>(async () => await invoker.AsyncUnaryCall(Greeter.SayHelloMethod, null, new CallOptions(), ""));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("a name is required", error.Status.Detail);
    }

    /// <summary>A gRPC service without generated code: one unary method with a UTF-8 string marshaller.</summary>
    public sealed class Greeter
    {
        private static readonly Marshaller<string> Text = Marshallers.Create(Encoding.UTF8.GetBytes, Encoding.UTF8.GetString);

        public static readonly Method<string, string> SayHelloMethod = new(MethodType.Unary, "sluice.test.Greeter", "SayHello", Text, Text);

        public Task<string> SayHello(string name, ServerCallContext context) =>
            name.Length == 0
                ? throw new RpcException(new Status(StatusCode.InvalidArgument, "a name is required"))
                : Task.FromResult($"hello {name}");
    }

    /// <summary>Grpc.AspNetCore's extension point for services without generated code: methods added explicitly.</summary>
    private sealed class GreeterMethods : IServiceMethodProvider<Greeter>
    {
        public void OnServiceMethodDiscovery(ServiceMethodProviderContext<Greeter> context) =>
            context.AddUnaryMethod(Greeter.SayHelloMethod, [], (service, request, call) => service.SayHello(request, call));
    }
}
