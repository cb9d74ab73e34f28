namespace Sluice.Cli;

/// <summary>A mistake the user can fix; its message is printed as one line, without a stack trace.</summary>
internal sealed class CliException(string message) : Exception(message);
