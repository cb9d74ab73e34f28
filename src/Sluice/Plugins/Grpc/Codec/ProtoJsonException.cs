namespace Sluice.Plugins.Grpc.Codec;

/// <summary>
/// Input the codec cannot convert: malformed JSON, a value of the wrong type or out of range, an unknown
/// field or enum name, bad base64, malformed protobuf. <see cref="FieldPath"/> says where
/// (<c>shelf.books[2].id</c>, <c>labels["k"]</c>; empty for the message itself) and <see cref="Reason"/> what
/// is wrong, so a caller can answer 400 with both.
/// </summary>
public sealed class ProtoJsonException : Exception
{
    public ProtoJsonException(string fieldPath, string reason)
        : base(fieldPath.Length == 0 ? reason : $"{fieldPath}: {reason}")
    {
        FieldPath = fieldPath;
        Reason = reason;
    }

    public ProtoJsonException(string fieldPath, string reason, Exception inner)
        : base(fieldPath.Length == 0 ? reason : $"{fieldPath}: {reason}", inner)
    {
        FieldPath = fieldPath;
        Reason = reason;
    }

    /// <summary>The field the problem is in, by the names the input used; empty for the top-level message.</summary>
    public string FieldPath { get; }

    /// <summary>What is wrong, without the path (e.g. "expected a number, got a string").</summary>
    public string Reason { get; }
}
