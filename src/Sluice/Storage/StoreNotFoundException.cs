namespace Sluice.Storage;

public sealed class StoreNotFoundException(string message) : Exception(message);
