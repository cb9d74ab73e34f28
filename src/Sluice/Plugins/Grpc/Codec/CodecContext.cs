using System.Buffers;
using System.Text;

namespace Sluice.Plugins.Grpc.Codec;

/// <summary>
/// Per-conversion state, reused per thread so a conversion allocates nothing of its own: the protobuf
/// output buffer, a scratch buffer for unescaped strings, the options, the nesting depth, and the path
/// of fields being converted. The path is kept as cheap frames (names that already exist, offsets into
/// the input) and only turned into a string when a conversion fails.
/// </summary>
internal sealed class CodecContext
{
    [ThreadStatic]
    private static CodecContext? t_cached;

    private PathFrame[] _frames = new PathFrame[32];
    private int _frameCount;
    private byte[] _scratch = ArrayPool<byte>.Shared.Rent(256);

    public ProtoBuffer Buffer { get; } = new();

    public ProtoJsonReadOptions ReadOptions { get; set; } = ProtoJsonReadOptions.Default;

    public ProtoJsonWriteOptions WriteOptions { get; set; } = ProtoJsonWriteOptions.Default;

    public int Depth { get; set; }

    public static CodecContext Rent()
    {
        var context = t_cached ?? new CodecContext();
        t_cached = null;
        return context;
    }

    public void Return()
    {
        Buffer.Reset();
        _frameCount = 0;
        Depth = 0;
        if (_scratch.Length > 64 * 1024)
        {
            ArrayPool<byte>.Shared.Return(_scratch);
            _scratch = ArrayPool<byte>.Shared.Rent(256);
        }
        t_cached = this;
    }

    /// <summary>A scratch area of at least <paramref name="size"/> bytes; valid until the next call.</summary>
    public Span<byte> Scratch(int size)
    {
        if (_scratch.Length < size)
        {
            ArrayPool<byte>.Shared.Return(_scratch);
            _scratch = ArrayPool<byte>.Shared.Rent(size);
        }
        return _scratch;
    }

    public void Enter()
    {
        if (++Depth > JsonToProtoReader.MaxDepth)
        {
            throw new CodecFailure($"nested more than {JsonToProtoReader.MaxDepth} levels deep");
        }
    }

    public void Exit() => Depth--;

    public void PushField(string name) => Push(new PathFrame(FrameKind.Field, name, 0, 0));

    public void PushElement(int index) => Push(new PathFrame(FrameKind.Element, null, index, 0));

    /// <summary>Moves the top frame (an element) to the next index.</summary>
    public void SetElement(int index) => _frames[_frameCount - 1] = new PathFrame(FrameKind.Element, null, index, 0);

    /// <summary>A map key or Struct key, as the raw bytes at <paramref name="start"/> of the JSON input.</summary>
    public void PushInputKey(int start, int length) => Push(new PathFrame(FrameKind.InputKey, null, start, length));

    /// <summary>An unknown field's name, as the raw bytes at <paramref name="start"/> of the JSON input.</summary>
    public void PushInputName(int start, int length) => Push(new PathFrame(FrameKind.InputName, null, start, length));

    public void Pop() => _frameCount--;

    public string RenderPath(ReadOnlySpan<byte> input)
    {
        var path = new StringBuilder();
        foreach (var frame in _frames.AsSpan(0, _frameCount))
        {
            switch (frame.Kind)
            {
                case FrameKind.Field:
                    path.Append(path.Length == 0 ? "" : ".").Append(frame.Name);
                    break;
                case FrameKind.Element:
                    path.Append('[').Append(frame.Value).Append(']');
                    break;
                case FrameKind.InputKey:
                    path.Append("[\"").Append(InputText(input, frame)).Append("\"]");
                    break;
                case FrameKind.InputName:
                    path.Append(path.Length == 0 ? "" : ".").Append(InputText(input, frame));
                    break;
            }
        }
        return path.ToString();
    }

    private static string InputText(ReadOnlySpan<byte> input, PathFrame frame) =>
        frame.Value >= 0 && frame.Value + frame.Length <= input.Length
            ? Encoding.UTF8.GetString(input.Slice(frame.Value, frame.Length))
            : "?";

    private void Push(PathFrame frame)
    {
        if (_frameCount == _frames.Length)
        {
            Array.Resize(ref _frames, _frames.Length * 2);
        }
        _frames[_frameCount++] = frame;
    }

    private enum FrameKind : byte
    {
        Field,
        Element,
        InputKey,
        InputName,
    }

    private readonly record struct PathFrame(FrameKind Kind, string? Name, int Value, int Length);
}
