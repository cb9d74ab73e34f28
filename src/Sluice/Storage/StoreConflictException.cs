namespace Sluice.Storage;

/// <summary>The object exists already, or the update carried a stale resource version.</summary>
public sealed class StoreConflictException(string message) : Exception(message);
