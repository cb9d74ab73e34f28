namespace Sluice.Api;

/// <summary>Thrown where a caller needs one object or nothing; carries the precise error.</summary>
public sealed class ConfigException(ConfigError error) : Exception(error.ToString())
{
    public ConfigError Error { get; } = error;
}
