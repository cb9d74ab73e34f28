using Sluice.Api;

namespace Sluice.Cli.Config;

/// <summary>
/// <c>~/.sluice/config.yaml</c>: defaults for the CLI's own flags, so a user who always talks to
/// one etcd cluster or one admin API does not repeat it. A flat map, keyed by the flag's name
/// without dashes (<c>store: etcd</c>, <c>etcd-endpoints: http://10.0.0.5:2379</c>,
/// <c>admin-url: http://127.0.0.1:19000</c>; <c>_</c> works for <c>-</c>). A flag wins over
/// <c>SLUICE_&lt;FLAG&gt;</c>, which wins over this file. <c>SLUICE_CLI_CONFIG</c> names another file.
/// Unlike glooctl, nothing is written here on first run: reading never writes.
/// </summary>
internal sealed class CliDefaults
{
    public static readonly CliDefaults None = new("", new Dictionary<string, string>());

    private readonly IReadOnlyDictionary<string, string> _values;

    private CliDefaults(string path, IReadOnlyDictionary<string, string> values)
    {
        Path = path;
        _values = values;
    }

    /// <summary>The file the defaults came from, for messages.</summary>
    public string Path { get; }

    /// <summary>The value for <c>--flag</c>, or null.</summary>
    public string? Get(string flag) => _values.GetValueOrDefault(flag.TrimStart('-'));

    /// <summary>The file named by <c>SLUICE_CLI_CONFIG</c>, else <c>$HOME/.sluice/config.yaml</c>; none when absent.</summary>
    public static CliDefaults Load(Func<string, string?> environment)
    {
        var path = environment("SLUICE_CLI_CONFIG");
        var explicitly = !string.IsNullOrEmpty(path);
        if (!explicitly)
        {
            var home = environment("HOME") ?? environment("USERPROFILE");
            if (string.IsNullOrEmpty(home))
            {
                return None;
            }
            path = System.IO.Path.Combine(home, ".sluice", "config.yaml");
        }
        if (!File.Exists(path))
        {
            return explicitly ? throw new CliException($"SLUICE_CLI_CONFIG: '{path}' does not exist") : None;
        }
        ValueMap map;
        try
        {
            // A flat map of strings, the shape of a secret: the same strict reader.
            map = ConfigCodec.ReadSecret(File.ReadAllText(path), path);
        }
        catch (ConfigException e)
        {
            throw new CliException($"{e.Error} (CLI defaults: a flat map such as 'store: etcd')");
        }
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in map)
        {
            values[key.Replace('_', '-')] = value;
        }
        return new CliDefaults(path!, values);
    }
}
