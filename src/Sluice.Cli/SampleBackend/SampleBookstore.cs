using System.Collections.Concurrent;
using System.Net;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sluice.Cli.SampleBackend.Bookstore;

namespace Sluice.Cli.SampleBackend;

/// <summary>
/// The sample gRPC service (bookstore.proto) on an HTTP/2-only cleartext listener, as gRPC
/// servers usually run behind a gateway: two shelves, books kept in memory.
/// </summary>
internal sealed class SampleBookstore : Bookstore.Bookstore.BookstoreBase
{
    private static readonly Shelf[] Shelves = [new() { Id = 1, Theme = "Fiction" }, new() { Id = 2, Theme = "Science" }];

    private readonly ConcurrentDictionary<long, ConcurrentQueue<Book>> _books = new()
    {
        [1] = new([new Book { Id = 1, Author = "Ursula K. Le Guin", Title = "The Dispossessed" }, new Book { Id = 2, Author = "Italo Calvino", Title = "Invisible Cities" }]),
        [2] = new([new Book { Id = 3, Author = "Carl Sagan", Title = "Cosmos" }]),
    };

    private long _nextId = 3;

    public static async Task<WebApplication> StartAsync(IPAddress bind, int port, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = "sluice-sample-bookstore", ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(bind, port, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton<SampleBookstore>();
        var app = builder.Build();
        app.MapGrpcService<SampleBookstore>();
        await app.StartAsync(cancellationToken);
        return app;
    }

    public override Task<ListShelvesResponse> ListShelves(Empty request, ServerCallContext context) =>
        Task.FromResult(new ListShelvesResponse { Shelves = { Shelves } });

    public override Task<Shelf> GetShelf(GetShelfRequest request, ServerCallContext context) => Task.FromResult(Find(request.Shelf));

    public override Task<Book> CreateBook(CreateBookRequest request, ServerCallContext context)
    {
        Find(request.Shelf);
        if (string.IsNullOrEmpty(request.Book?.Title))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "a book needs a title"));
        }
        var book = new Book(request.Book) { Id = Interlocked.Increment(ref _nextId) };
        _books.GetOrAdd(request.Shelf, _ => new()).Enqueue(book);
        return Task.FromResult(book);
    }

    public override async Task ListBooks(ListBooksRequest request, IServerStreamWriter<Book> responseStream, ServerCallContext context)
    {
        Find(request.Shelf);
        foreach (var book in _books.GetValueOrDefault(request.Shelf) ?? new())
        {
            if (request.Author.Length == 0 || book.Author.Contains(request.Author, StringComparison.OrdinalIgnoreCase))
            {
                await responseStream.WriteAsync(book, context.CancellationToken);
            }
        }
    }

    private static Shelf Find(long id) =>
        Shelves.FirstOrDefault(s => s.Id == id) ?? throw new RpcException(new Status(StatusCode.NotFound, $"shelf {id} does not exist"));
}
