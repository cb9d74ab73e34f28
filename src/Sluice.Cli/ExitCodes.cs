namespace Sluice.Cli;

internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>Anything went wrong: a usage error, a bad file, a rejected object, a conflict.</summary>
    public const int Failure = 1;

    /// <summary>Stopped by Ctrl+C before finishing (128 + SIGINT, as shells report it).</summary>
    public const int Interrupted = 130;
}
