using System.Collections.Frozen;
using Sluice.Plan;
using Sluice.Plugins.Grpc.Codec;

namespace Sluice.Plugins.Grpc;

/// <summary>
/// A gRPC upstream compiled for transcoding: its methods by every name a route may use, its
/// <c>google.api.http</c> bindings, the codecs, and the settings. Plan data that compares by its
/// <see cref="Fingerprint"/> (the descriptor bytes' hash, the settings and the function names),
/// not by the compiled objects, so a reload that leaves the upstream alone keeps the live
/// transcoder.
/// </summary>
internal sealed class GrpcTranscoderSpec : IInvokerSpec, IEquatable<GrpcTranscoderSpec>
{
    public required string Upstream { get; init; }

    public required string Fingerprint { get; init; }

    public required GrpcOptions Options { get; init; }

    public required ProtoCodecSet Codecs { get; init; }

    /// <summary>Gloo's mapping: <c>Method</c>, <c>Service.Method</c>, <c>package.Service.Method</c> and the upstream's own function names.</summary>
    public required FrozenDictionary<string, HttpBinding> Functions { get; init; }

    /// <summary>Bare method names that several named services define, with the names to use instead.</summary>
    public required FrozenDictionary<string, string> Ambiguous { get; init; }

    public required HttpRuleTable Rules { get; init; }

    public ProtoJsonReadOptions ReadOptions => field ??= new ProtoJsonReadOptions(Options.IgnoreUnknownFields);

    public ProtoJsonWriteOptions WriteOptions => field ??= new ProtoJsonWriteOptions(Options.EmitDefaultValues);

    public IInvoker CreateInvoker(InvokerServices services) => new GrpcTranscoder(this);

    public bool Equals(GrpcTranscoderSpec? other) =>
        other is not null && Upstream == other.Upstream && Fingerprint == other.Fingerprint && Options == other.Options;

    public override bool Equals(object? obj) => Equals(obj as GrpcTranscoderSpec);

    public override int GetHashCode() => HashCode.Combine(Upstream, Fingerprint, Options);
}
