using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Grpc.Net.Client;
using Sluice.Api;
using V1 = Grpc.Reflection.V1;
using V1Alpha = Grpc.Reflection.V1Alpha;

namespace Sluice.Discovery;

/// <summary>
/// gRPC services from server reflection (v1, falling back to v1alpha): every service but the
/// reflection service itself, the files defining them with all their dependencies written as
/// one FileDescriptorSet (dependencies first, as <c>protoc --include_imports</c> does), and one
/// function per method, named <c>Method</c> when there is one service, <c>Service.Method</c>
/// otherwise (reference §2.9). The whole exchange is bounded by the request timeout, so a server
/// that accepts the call and never answers costs one timeout.
/// </summary>
internal sealed class GrpcReflectionSource(DiscoveryOptions options) : IFunctionSource
{
    public const string FileRefPrefix = "grpc-discovery:";

    public string Name => "grpc";

    /// <summary>gRPC needs HTTP/2, so an upstream set to speak it (or said to be gRPC) is probed by reflection.</summary>
    public static bool SpeaksGrpc(Upstream upstream) =>
        upstream.UseHttp2 || string.Equals(upstream.ServiceInfo?.Type, "gRPC", StringComparison.OrdinalIgnoreCase);

    public bool Claims(DiscoveryTarget target) =>
        target.BaseAddress is not null && SpeaksGrpc(target.Upstream)
        && DiscoveryAnnotations.DocumentUrl(target.Upstream) is null && DiscoveryAnnotations.InlineDocument(target.Upstream) is null;

    public async Task<SourceResult> DiscoverAsync(DiscoveryTarget target, CancellationToken cancellationToken)
    {
        var address = target.BaseAddress!;
        var source = $"gRPC reflection at {address.Authority}";
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.RequestTimeout);
        using var channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler { UseProxy = false, EnableMultipleHttp2Connections = false },
            MaxReceiveMessageSize = (int)Math.Min(options.MaxDocumentBytes, int.MaxValue),
        });
        try
        {
            IReflectionClient client = new V1Client(channel);
            List<string> services;
            try
            {
                services = await client.ListServicesAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (RpcException exception) when (exception.StatusCode == StatusCode.Unimplemented)
            {
                client = new V1AlphaClient(channel);
                services = await client.ListServicesAsync(timeout.Token).ConfigureAwait(false);
            }
            services = [.. services.Where(s => !s.StartsWith("grpc.reflection.", StringComparison.Ordinal)).Order(StringComparer.Ordinal)];
            if (services.Count == 0)
            {
                return SourceResult.NothingFound(source, $"{source} lists no services");
            }
            var files = await client.FilesAsync(services, timeout.Token).ConfigureAwait(false);
            return Result(target.Upstream.Name, source, services, files);
        }
        catch (Exception exception) when (exception is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled or StatusCode.DeadlineExceeded }
            && timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // The call was cut by our deadline (Grpc.Net.Client reports that as Cancelled).
            return SourceResult.Failed(source, $"{source} did not answer within {options.RequestTimeout.TotalSeconds:0.#} s");
        }
        catch (RpcException exception)
        {
            return SourceResult.Failed(source, $"{source} failed: {exception.StatusCode} {exception.Status.Detail}");
        }
        catch (DiscoveryException exception)
        {
            return SourceResult.Failed(source, $"{source}: {exception.Message}");
        }
    }

    private static SourceResult Result(string upstream, string source, List<string> services, IReadOnlyList<FileDescriptorProto> files)
    {
        var set = new FileDescriptorSet();
        set.File.AddRange(files);
        var fileRef = FileRefPrefix + upstream + ".descriptors";
        var functions = new List<UpstreamFunction>();
        var problems = new List<string>();
        foreach (var service in services)
        {
            var definition = Find(files, service);
            if (definition is null)
            {
                problems.Add($"service {service}: not defined in the files the server returned");
                continue;
            }
            foreach (var method in definition.Method)
            {
                var name = services.Count == 1 ? method.Name : $"{definition.Name}.{method.Name}";
                var spec = new System.Text.Json.Nodes.JsonObject
                {
                    ["service"] = service,
                    ["method"] = method.Name,
                    ["input_type"] = method.InputType.TrimStart('.'),
                    ["output_type"] = method.OutputType.TrimStart('.'),
                };
                functions.Add(new UpstreamFunction
                {
                    Name = name,
                    Spec = new Struct(System.Text.Json.JsonDocument.Parse(spec.ToJsonString()).RootElement.Clone()),
                });
            }
        }
        var properties = new System.Text.Json.Nodes.JsonObject
        {
            ["grpc_service_names"] = new System.Text.Json.Nodes.JsonArray([.. services.Select(s => System.Text.Json.Nodes.JsonValue.Create(s[(s.LastIndexOf('.') + 1)..]))]),
            ["descriptors_file_ref"] = fileRef,
        };
        return new SourceResult
        {
            Outcome = SourceOutcome.Found,
            Source = source,
            ServiceInfo = new ServiceInfo
            {
                Type = "gRPC",
                Properties = new Struct(System.Text.Json.JsonDocument.Parse(properties.ToJsonString()).RootElement.Clone()),
            },
            Functions = [.. functions.OrderBy(f => f.Name, StringComparer.Ordinal)],
            Problems = problems,
            Files = new Dictionary<string, ReadOnlyMemory<byte>>(StringComparer.Ordinal) { [fileRef] = set.ToByteArray() },
        };
    }

    private static ServiceDescriptorProto? Find(IReadOnlyList<FileDescriptorProto> files, string fullName)
    {
        foreach (var file in files)
        {
            foreach (var service in file.Service)
            {
                var name = string.IsNullOrEmpty(file.Package) ? service.Name : $"{file.Package}.{service.Name}";
                if (name == fullName)
                {
                    return service;
                }
            }
        }
        return null;
    }

    /// <summary>The two reflection protocol versions, same messages in two namespaces.</summary>
    private interface IReflectionClient
    {
        Task<List<string>> ListServicesAsync(CancellationToken cancellationToken);

        /// <summary>The files defining the services, with every dependency, dependencies first.</summary>
        Task<IReadOnlyList<FileDescriptorProto>> FilesAsync(IReadOnlyList<string> services, CancellationToken cancellationToken);
    }

    /// <summary>Collects file descriptors over one stream, asking by symbol and then by file name for dependencies not yet sent.</summary>
    private abstract class ReflectionClient<TRequest, TResponse> : IReflectionClient
    {
        protected abstract AsyncDuplexStreamingCall<TRequest, TResponse> Open(CancellationToken cancellationToken);

        protected abstract TRequest ListServices();

        protected abstract TRequest FileContainingSymbol(string symbol);

        protected abstract TRequest FileByFilename(string name);

        protected abstract (IEnumerable<string>? Services, IEnumerable<ByteString>? Files, string? Error) Read(TResponse response);

        public async Task<List<string>> ListServicesAsync(CancellationToken cancellationToken)
        {
            using var call = Open(cancellationToken);
            var (services, _, error) = await AskAsync(call, ListServices(), cancellationToken).ConfigureAwait(false);
            await call.RequestStream.CompleteAsync().ConfigureAwait(false);
            return error is not null ? throw new DiscoveryException($"listing services failed: {error}") : [.. services ?? []];
        }

        public async Task<IReadOnlyList<FileDescriptorProto>> FilesAsync(IReadOnlyList<string> services, CancellationToken cancellationToken)
        {
            using var call = Open(cancellationToken);
            var files = new Dictionary<string, FileDescriptorProto>(StringComparer.Ordinal);
            var order = new List<string>();
            foreach (var service in services)
            {
                var (_, found, error) = await AskAsync(call, FileContainingSymbol(service), cancellationToken).ConfigureAwait(false);
                if (error is not null)
                {
                    throw new DiscoveryException($"the file defining {service} is not available: {error}");
                }
                Add(found, files, order);
            }
            // Dependencies the server did not send along (servers may send only the one file).
            for (var i = 0; i < order.Count; i++)
            {
                foreach (var dependency in files[order[i]].Dependency)
                {
                    if (!files.ContainsKey(dependency))
                    {
                        var (_, found, error) = await AskAsync(call, FileByFilename(dependency), cancellationToken).ConfigureAwait(false);
                        if (error is not null)
                        {
                            throw new DiscoveryException($"dependency {dependency} of {order[i]} is not available: {error}");
                        }
                        Add(found, files, order);
                    }
                }
            }
            await call.RequestStream.CompleteAsync().ConfigureAwait(false);
            return DependenciesFirst(files);
        }

        private async Task<(IEnumerable<string>? Services, IEnumerable<ByteString>? Files, string? Error)> AskAsync(
            AsyncDuplexStreamingCall<TRequest, TResponse> call, TRequest request, CancellationToken cancellationToken)
        {
            await call.RequestStream.WriteAsync(request, cancellationToken).ConfigureAwait(false);
            if (!await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false))
            {
                throw new DiscoveryException("the server closed the reflection stream without answering");
            }
            return Read(call.ResponseStream.Current);
        }

        private static void Add(IEnumerable<ByteString>? found, Dictionary<string, FileDescriptorProto> files, List<string> order)
        {
            foreach (var bytes in found ?? [])
            {
                FileDescriptorProto file;
                try
                {
                    file = FileDescriptorProto.Parser.ParseFrom(bytes);
                }
                catch (InvalidProtocolBufferException exception)
                {
                    throw new DiscoveryException($"the server sent a file descriptor that does not parse: {exception.Message}");
                }
                if (files.TryAdd(file.Name, file))
                {
                    order.Add(file.Name);
                }
            }
        }

        private static List<FileDescriptorProto> DependenciesFirst(Dictionary<string, FileDescriptorProto> files)
        {
            var sorted = new List<FileDescriptorProto>(files.Count);
            var visited = new HashSet<string>(StringComparer.Ordinal);
            void Visit(string name)
            {
                if (!visited.Add(name) || !files.TryGetValue(name, out var file))
                {
                    return;
                }
                foreach (var dependency in file.Dependency)
                {
                    Visit(dependency);
                }
                sorted.Add(file);
            }
            foreach (var name in files.Keys.Order(StringComparer.Ordinal))
            {
                Visit(name);
            }
            return sorted;
        }
    }

    private sealed class V1Client(GrpcChannel channel) : ReflectionClient<V1.ServerReflectionRequest, V1.ServerReflectionResponse>
    {
        private readonly V1.ServerReflection.ServerReflectionClient _client = new(channel);

        protected override AsyncDuplexStreamingCall<V1.ServerReflectionRequest, V1.ServerReflectionResponse> Open(CancellationToken cancellationToken) =>
            _client.ServerReflectionInfo(cancellationToken: cancellationToken);

        protected override V1.ServerReflectionRequest ListServices() => new() { ListServices = "" };

        protected override V1.ServerReflectionRequest FileContainingSymbol(string symbol) => new() { FileContainingSymbol = symbol };

        protected override V1.ServerReflectionRequest FileByFilename(string name) => new() { FileByFilename = name };

        protected override (IEnumerable<string>? Services, IEnumerable<ByteString>? Files, string? Error) Read(V1.ServerReflectionResponse response) =>
            (response.ListServicesResponse?.Service.Select(s => s.Name), response.FileDescriptorResponse?.FileDescriptorProto, response.ErrorResponse?.ErrorMessage);
    }

    private sealed class V1AlphaClient(GrpcChannel channel) : ReflectionClient<V1Alpha.ServerReflectionRequest, V1Alpha.ServerReflectionResponse>
    {
        private readonly V1Alpha.ServerReflection.ServerReflectionClient _client = new(channel);

        protected override AsyncDuplexStreamingCall<V1Alpha.ServerReflectionRequest, V1Alpha.ServerReflectionResponse> Open(CancellationToken cancellationToken) =>
            _client.ServerReflectionInfo(cancellationToken: cancellationToken);

        protected override V1Alpha.ServerReflectionRequest ListServices() => new() { ListServices = "" };

        protected override V1Alpha.ServerReflectionRequest FileContainingSymbol(string symbol) => new() { FileContainingSymbol = symbol };

        protected override V1Alpha.ServerReflectionRequest FileByFilename(string name) => new() { FileByFilename = name };

        protected override (IEnumerable<string>? Services, IEnumerable<ByteString>? Files, string? Error) Read(V1Alpha.ServerReflectionResponse response) =>
            (response.ListServicesResponse?.Service.Select(s => s.Name), response.FileDescriptorResponse?.FileDescriptorProto, response.ErrorResponse?.ErrorMessage);
    }
}
