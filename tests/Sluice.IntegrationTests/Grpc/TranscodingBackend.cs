using System.Collections.Concurrent;
using System.IO.Compression;
using System.Net;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sluice.IntegrationTests.Grpc.Proto;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Grpc;

/// <summary>
/// A real Grpc.AspNetCore server on loopback (HTTP/2 cleartext) serving the test service, which
/// records what it received. Responses are gzip-compressed whenever the caller accepts gzip, so
/// every test also proves compressed messages are read.
/// </summary>
internal sealed class TranscodingBackend : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TranscodingBackend(WebApplication app, int port, Received received)
    {
        _app = app;
        Port = port;
        Calls = received;
    }

    public int Port { get; }

    public Received Calls { get; }

    /// <summary>The service's descriptors as protoc --include_imports writes them: dependencies first.</summary>
    public static byte[] DescriptorSet()
    {
        var set = new FileDescriptorSet();
        var seen = new HashSet<string>();
        void Add(FileDescriptor file)
        {
            if (!seen.Add(file.Name))
            {
                return;
            }
            foreach (var dependency in file.Dependencies)
            {
                Add(dependency);
            }
            set.File.Add(FileDescriptorProto.Parser.ParseFrom(file.SerializedData));
        }
        Add(TranscodingReflection.Descriptor);
        return set.ToByteArray();
    }

    public static async Task<TranscodingBackend> StartAsync()
    {
        var received = new Received();
        return await FreePorts.RetryOnConflictAsync(async () =>
        {
            var port = FreePorts.Next();
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, l => l.Protocols = HttpProtocols.Http2));
            builder.Services.AddGrpc(o =>
            {
                o.ResponseCompressionAlgorithm = "gzip";
                o.ResponseCompressionLevel = CompressionLevel.Fastest;
            });
            builder.Services.AddSingleton(received);
            var app = builder.Build();
            app.MapGrpcService<TranscodingService>();
            app.MapGrpcService<OtherService>();
            await app.StartAsync();
            return new TranscodingBackend(app, port, received);
        });
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    /// <summary>What the service was sent: messages and the metadata that came with them.</summary>
    internal sealed class Received
    {
        public ConcurrentQueue<IMessage> Messages { get; } = new();

        public ConcurrentQueue<Metadata> Headers { get; } = new();

        /// <summary>The deadline of each call, as the server saw it (DateTime.MaxValue: none).</summary>
        public ConcurrentQueue<DateTime> Deadlines { get; } = new();

        public T Last<T>() where T : IMessage => Messages.OfType<T>().Last();

        public void Record(IMessage message, ServerCallContext context)
        {
            Messages.Enqueue(message);
            Headers.Enqueue(context.RequestHeaders);
            Deadlines.Enqueue(context.Deadline);
        }
    }

    private sealed class TranscodingService(Received received) : Transcoding.TranscodingBase
    {
        public override async Task<AllKinds> Echo(AllKinds request, ServerCallContext context)
        {
            received.Record(request, context);
            await context.WriteResponseHeadersAsync(new Metadata { { "x-served-by", "echo" }, { "x-internal", "secret" } });
            context.ResponseTrailers.Add("x-cost", "3");
            return request;
        }

        public override Task<Shelf> GetShelf(ShelfRequest request, ServerCallContext context)
        {
            received.Record(request, context);
            return Task.FromResult(new Shelf { Name = request.Name, Id = request.Shelf, Tags = { request.Tags }, Inner = request.Inner, Theme = $"theme of {request.Shelf}" });
        }

        public override Task<Book> CreateBook(CreateBookRequest request, ServerCallContext context)
        {
            received.Record(request, context);
            return Task.FromResult(request.Book ?? new Book());
        }

        public override Task<Shelf> GetTheme(ShelfRequest request, ServerCallContext context)
        {
            received.Record(request, context);
            return Task.FromResult(new Shelf { Id = request.Shelf, Theme = $"theme of {request.Shelf}" });
        }

        public override Task<Shelf> Search(ShelfRequest request, ServerCallContext context)
        {
            received.Record(request, context);
            return Task.FromResult(new Shelf { Name = request.Name, Tags = { request.Tags }, Inner = request.Inner, Theme = request.Color.ToString() });
        }

        public override async Task List(ListRequest request, IServerStreamWriter<Shelf> responseStream, ServerCallContext context)
        {
            received.Record(request, context);
            for (var i = 0; i < request.Count; i++)
            {
                if (request.FailAfter > 0 && i == request.FailAfter)
                {
                    throw new RpcException(new global::Grpc.Core.Status(StatusCode.ResourceExhausted, "enough shelves"));
                }
                await responseStream.WriteAsync(new Shelf { Name = $"{request.Prefix}{i}", Id = i });
            }
        }

        public override async Task<Shelf> Collect(IAsyncStreamReader<Book> requestStream, ServerCallContext context)
        {
            var shelf = new Shelf();
            await foreach (var book in requestStream.ReadAllAsync())
            {
                received.Record(book, context);
                shelf.Tags.Add(book.Title);
            }
            shelf.Id = shelf.Tags.Count;
            return shelf;
        }

        public override async Task<Empty> Delay(DelayRequest request, ServerCallContext context)
        {
            received.Record(request, context);
            await Task.Delay(request.Millis, context.CancellationToken);
            return new Empty();
        }

        public override Task<Empty> Fail(FailRequest request, ServerCallContext context)
        {
            received.Record(request, context);
            context.ResponseTrailers.Add("x-cost", "1");
            if (request.WithDetails)
            {
                throw new Google.Rpc.Status
                {
                    Code = request.Code,
                    Message = request.Message,
                    Details =
                    {
                        Any.Pack(new ErrorInfo { Reason = "SHELF_FULL", Domain = "sluice.test" }),
                        Any.Pack(new Book { Title = "detail" }),
                    },
                }.ToRpcException();
            }
            throw new RpcException(new global::Grpc.Core.Status((StatusCode)request.Code, request.Message));
        }
    }

    private sealed class OtherService(Received received) : Other.OtherBase
    {
        public override Task<Book> Echo(Book request, ServerCallContext context)
        {
            received.Record(request, context);
            return Task.FromResult(request);
        }
    }
}
