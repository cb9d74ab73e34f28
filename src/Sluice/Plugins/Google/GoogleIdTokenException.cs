namespace Sluice.Plugins.Google;

/// <summary>No ID token could be minted: <see cref="Exception.Message"/> for the client, <see cref="Detail"/> (the token endpoint's own words) for the log.</summary>
internal sealed class GoogleIdTokenException(string message, string detail) : Exception(message)
{
    public string Detail { get; } = detail;
}
