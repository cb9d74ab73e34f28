namespace Sluice.Api.Codec;

/// <summary>What a plain YAML scalar means under the YAML 1.2 core schema.</summary>
internal enum ScalarType
{
    String,
    Null,
    Bool,
    Int,
    Float,
}
