namespace Sluice.Api;

/// <summary>A top-level object with a name, metadata and a status: an upstream or a virtual service.</summary>
public interface IConfigObject
{
    string Name { get; }

    ConfigKind Kind { get; }

    Metadata Metadata { get; }

    Status? Status { get; }
}
