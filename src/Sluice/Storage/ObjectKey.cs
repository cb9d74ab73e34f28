using Sluice.Api;

namespace Sluice.Storage;

/// <summary>Identity of an object in a store: names are unique per kind.</summary>
internal readonly record struct ObjectKey(ConfigKind Kind, string Name);
