namespace Sluice.Plugins.Grpc.Codec;

/// <summary>
/// Thrown deep inside a conversion with only the reason; the public entry point catches it and adds the
/// field path from the context's frames (which still describe where the failure happened), so the inner
/// code never builds path strings on the success path.
/// </summary>
internal sealed class CodecFailure(string reason) : Exception(reason);
