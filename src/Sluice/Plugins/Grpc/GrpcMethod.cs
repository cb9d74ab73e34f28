using System.Collections.Concurrent;
using Google.Protobuf.Reflection;
using Sluice.Plugins.Grpc.Codec;

namespace Sluice.Plugins.Grpc;

/// <summary>
/// One method of a named service, ready to call: its HTTP/2 path, its message codecs, and the
/// field paths requests have named so far.
/// </summary>
internal sealed class GrpcMethod
{
    /// <summary>Client-named fields (query parameters) kept at most this many per method: a bound on what clients can make the gateway hold.</summary>
    private const int MaxCachedFieldPaths = 1024;

    private readonly ConcurrentDictionary<string, FieldPathCodec> _fieldPaths = new(StringComparer.Ordinal);

    public GrpcMethod(MethodDescriptor descriptor, MessageCodec input, MessageCodec output)
    {
        Descriptor = descriptor;
        Input = input;
        Output = output;
        Path = $"/{descriptor.Service.FullName}/{descriptor.Name}";
    }

    public MethodDescriptor Descriptor { get; }

    /// <summary><c>/package.Service/Method</c>, the gRPC request path.</summary>
    public string Path { get; }

    /// <summary><c>package.Service.Method</c>, for messages.</summary>
    public string FullName => Descriptor.FullName;

    public MessageCodec Input { get; }

    public MessageCodec Output { get; }

    public bool ClientStreaming => Descriptor.IsClientStreaming;

    public bool ServerStreaming => Descriptor.IsServerStreaming;

    /// <summary>
    /// The codec setting the input message's field <paramref name="dottedPath"/>, compiled on
    /// first use: the names come from requests (query parameters), so they cannot all be known
    /// at plan time. Only paths that exist are kept.
    /// </summary>
    /// <exception cref="ProtoJsonException">No such field.</exception>
    public FieldPathCodec FieldPath(string dottedPath)
    {
        if (_fieldPaths.TryGetValue(dottedPath, out var codec))
        {
            return codec;
        }
        codec = Input.CompileFieldPath(dottedPath);
        if (_fieldPaths.Count < MaxCachedFieldPaths)
        {
            _fieldPaths.TryAdd(dottedPath, codec);
        }
        return codec;
    }

    public override string ToString() => FullName;
}
