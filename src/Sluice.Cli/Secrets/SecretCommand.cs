using System.CommandLine;
using System.Text.Json.Nodes;
using Sluice.Api.Codec;
using Sluice.Cli.Commands;
using Sluice.Cli.Output;

namespace Sluice.Cli.Secrets;

/// <summary>
/// <c>sluice secret create aws|azure|tls|generic NAME …</c>, <c>secret get [NAME…]</c>,
/// <c>secret delete NAME…</c>. Values come from files or flags and are never printed unless
/// <c>--show-values</c> is given: <c>get</c> shows names and keys, which is what a user checks.
/// </summary>
internal static class SecretCommand
{
    public static Command Create(CliContext context)
    {
        var create = new Command("create", "Create a secret: aws (access_key, secret_key), azure (function keys), tls (tls.crt, tls.key), generic")
        {
            Aws(context),
            Azure(context),
            Tls(context),
            Generic(context),
        };
        var command = new Command("secret", "Secrets that upstreams and virtual services refer to (secret_ref)") { create, Get(context), Delete(context) };
        command.Aliases.Add("secrets");
        return command;
    }

    private sealed class Common
    {
        public Argument<string> Name { get; } = new("name") { Description = "The secret's name (its secret_ref)" };

        public Option<bool> Overwrite { get; } = new("--overwrite") { Description = "Replace a secret of that name" };

        public StoreFlags Store { get; } = new();

        public Command Command(string name, string description, CliContext context, Func<ParseResult, CancellationToken, Task<List<KeyValuePair<string, string>>>> values)
        {
            Name.Validators.Add(KindArgument.RejectFlags);
            var command = new Command(name, description) { Name, Overwrite };
            foreach (var option in Store.All)
            {
                command.Add(option);
            }
            CommandAction.Set(command, context, async (parseResult, cancellationToken) =>
            {
                var secretName = parseResult.GetRequiredValue(Name);
                if (!ObjectNames.IsValid(secretName))
                {
                    throw new CliException($"'{secretName}' is not a secret name: {ObjectNames.Rule}");
                }
                var pairs = await values(parseResult, cancellationToken);
                if (pairs.Count == 0)
                {
                    throw new CliException($"secret '{secretName}': no values given (see sluice secret create {name} --help)");
                }
                var store = Store.Open(parseResult, context);
                using var disposable = store as IDisposable;
                var secrets = SecretStore.For(store);
                if (!parseResult.GetValue(Overwrite) && await secrets.ExistsAsync(secretName, cancellationToken))
                {
                    throw new CliException($"secret '{secretName}' already exists (--overwrite replaces it)");
                }
                await secrets.WriteAsync(secretName, pairs, cancellationToken);
                context.Out.WriteLine($"secret/{secretName} {(parseResult.GetValue(Overwrite) ? "written" : "created")} (keys: {string.Join(", ", pairs.Select(p => p.Key))})");
                return ExitCodes.Success;
            });
            return command;
        }
    }

    private static Command Aws(CliContext context)
    {
        var common = new Common();
        var accessKey = new Option<string?>("--access-key-id") { Description = "AWS access key id (with --secret-access-key)", HelpName = "ID" };
        var secretKey = new Option<string?>("--secret-access-key") { Description = "AWS secret access key (prefer --env or -f: flags end up in shell history)", HelpName = "KEY" };
        var env = new Option<bool>("--env") { Description = "Take AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY from the environment" };
        var file = new Option<string?>("--filename", "-f") { Description = "An AWS credentials file (default ~/.aws/credentials when no other source is given)", HelpName = "FILE" };
        var profile = new Option<string>("--profile") { Description = "Profile in the credentials file", DefaultValueFactory = _ => "default", HelpName = "NAME" };
        var command = common.Command("aws", "An AWS secret for Lambda upstreams: keys access_key and secret_key", context, (parseResult, cancellationToken) =>
        {
            var id = parseResult.GetValue(accessKey);
            var key = parseResult.GetValue(secretKey);
            if (id is not null || key is not null)
            {
                if (id is null || key is null)
                {
                    throw new CliException("--access-key-id and --secret-access-key go together");
                }
            }
            else if (parseResult.GetValue(env))
            {
                id = context.Environment("AWS_ACCESS_KEY_ID");
                key = context.Environment("AWS_SECRET_ACCESS_KEY");
                if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(key))
                {
                    throw new CliException("--env: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must both be set");
                }
            }
            else
            {
                var path = parseResult.GetValue(file) ?? Path.Combine(context.Environment("HOME") ?? "", ".aws", "credentials");
                (id, key) = ReadAwsCredentials(path, parseResult.GetValue(profile)!);
            }
            return Task.FromResult(new List<KeyValuePair<string, string>> { new("access_key", id), new("secret_key", key) });
        });
        command.Add(accessKey);
        command.Add(secretKey);
        command.Add(env);
        command.Add(file);
        command.Add(profile);
        return command;
    }

    private static Command Azure(CliContext context)
    {
        var common = new Common();
        var master = new Option<string?>("--master-key") { Description = "The function app's _master key (auth_level admin, or any function)", HelpName = "KEY" };
        var functionKeys = new Option<string[]>("--function-key") { Description = "A function's key, repeated: FUNCTION=KEY", HelpName = "FUNCTION=KEY" };
        var command = common.Command("azure", "An Azure Functions secret: _master and per-function keys", context, (parseResult, _) =>
        {
            var pairs = new List<KeyValuePair<string, string>>();
            if (parseResult.GetValue(master) is { } key)
            {
                pairs.Add(new("_master", key));
            }
            pairs.AddRange(KeyValues(parseResult.GetValue(functionKeys), "--function-key"));
            return Task.FromResult(pairs);
        });
        command.Add(master);
        command.Add(functionKeys);
        return command;
    }

    private static Command Tls(CliContext context)
    {
        var common = new Common();
        var cert = new Option<string>("--cert") { Description = "Certificate chain (PEM)", HelpName = "FILE", Required = true };
        var key = new Option<string>("--key") { Description = "Private key (PEM)", HelpName = "FILE", Required = true };
        var rootCa = new Option<string?>("--root-ca") { Description = "CA that client certificates must chain to (mutual TLS)", HelpName = "FILE" };
        var command = common.Command("tls", "A TLS secret for ssl_config.secret_ref: tls.crt, tls.key and optionally tls.root", context, async (parseResult, cancellationToken) =>
        {
            var pairs = new List<KeyValuePair<string, string>>
            {
                new("tls.crt", await ReadFileAsync(parseResult.GetRequiredValue(cert), "--cert", cancellationToken)),
                new("tls.key", await ReadFileAsync(parseResult.GetRequiredValue(key), "--key", cancellationToken)),
            };
            if (parseResult.GetValue(rootCa) is { } ca)
            {
                pairs.Add(new("tls.root", await ReadFileAsync(ca, "--root-ca", cancellationToken)));
            }
            try
            {
                // Refuse a pair that cannot serve now rather than after the gateway rejects it.
                using var certificate = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(pairs[0].Value, pairs[1].Value);
            }
            catch (System.Security.Cryptography.CryptographicException e)
            {
                throw new CliException($"--cert and --key do not form a certificate with its private key: {e.Message}");
            }
            return pairs;
        });
        command.Add(cert);
        command.Add(key);
        command.Add(rootCa);
        return command;
    }

    private static Command Generic(CliContext context)
    {
        var common = new Common();
        var literal = new Option<string[]>("--from-literal") { Description = "A key and its value, repeated: KEY=VALUE", HelpName = "KEY=VALUE" };
        var fromFile = new Option<string[]>("--from-file") { Description = "A key read from a file, repeated: KEY=PATH (or PATH: the file's name is the key)", HelpName = "[KEY=]PATH" };
        var command = common.Command("generic", "A secret of any keys (NATS token, API keys, …)", context, async (parseResult, cancellationToken) =>
        {
            var pairs = KeyValues(parseResult.GetValue(literal), "--from-literal");
            foreach (var item in parseResult.GetValue(fromFile) ?? [])
            {
                var equals = item.IndexOf('=', StringComparison.Ordinal);
                var (key, path) = equals > 0 ? (item[..equals], item[(equals + 1)..]) : (Path.GetFileName(item), item);
                pairs.Add(new(key, await ReadFileAsync(path, "--from-file", cancellationToken)));
            }
            var duplicate = pairs.GroupBy(p => p.Key).FirstOrDefault(g => g.Count() > 1);
            return duplicate is null ? pairs : throw new CliException($"key '{duplicate.Key}' is given twice");
        });
        command.Add(literal);
        command.Add(fromFile);
        return command;
    }

    private static Command Get(CliContext context)
    {
        var names = new Argument<string[]>("name") { Description = "Secrets by name (all when omitted)", Arity = ArgumentArity.ZeroOrMore };
        names.Validators.Add(KindArgument.RejectFlags);
        var show = new Option<bool>("--show-values") { Description = "Print the values too (they are secret: mind the terminal and its scrollback)" };
        var output = new Option<string>("--output", "-o") { Description = "table, yaml or json", DefaultValueFactory = _ => "table", HelpName = "table|yaml|json" };
        output.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string>() is not ("table" or "yaml" or "json") and var value)
            {
                result.AddError($"--output: '{value}' is not a format (table, yaml or json)");
            }
        });
        var storeFlags = new StoreFlags();
        names.CompletionSources.Add(ObjectNameCompletion.Secrets(storeFlags, context));
        var command = new Command("get", "List secrets with their keys (values only with --show-values)") { names, show, output };
        foreach (var option in storeFlags.All)
        {
            command.Add(option);
        }
        CommandAction.Set(command, context, async (parseResult, cancellationToken) =>
        {
            var store = storeFlags.OpenForReading(parseResult, context);
            using var disposable = store as IDisposable;
            var snapshot = await store.LoadAsync(cancellationToken);
            var wanted = parseResult.GetValue(names) ?? [];
            var all = snapshot.Secrets.Keys.Concat(snapshot.SecretErrors.Keys).Distinct().Order(StringComparer.Ordinal).ToList();
            var failed = false;
            foreach (var name in wanted.Where(n => !all.Contains(n)))
            {
                failed = true;
                context.Error($"secret '{name}': not found{ObjectListing.Suggest(name, all)}");
            }
            var chosen = wanted.Length == 0 ? all : [.. all.Where(wanted.Contains)];
            var showValues = parseResult.GetValue(show);
            switch (parseResult.GetValue(output))
            {
                case "yaml" or "json":
                    var array = new JsonArray();
                    foreach (var name in chosen)
                    {
                        var item = new JsonObject { ["name"] = name };
                        if (snapshot.Secrets.TryGetValue(name, out var map))
                        {
                            var data = new JsonObject();
                            foreach (var (key, value) in map)
                            {
                                data[key] = showValues ? value : Hidden(value);
                            }
                            item["data"] = data;
                        }
                        if (snapshot.SecretErrors.TryGetValue(name, out var error))
                        {
                            item["error"] = error;
                        }
                        array.Add(item);
                    }
                    if (parseResult.GetValue(output) == "json")
                    {
                        context.Out.WriteLine((wanted.Length == 1 && array.Count == 1 ? array[0]! : array).ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
                    }
                    else
                    {
                        for (var i = 0; i < array.Count; i++)
                        {
                            context.Out.Write((i > 0 ? "---\n" : "") + YamlText.Write(array[i]!));
                        }
                    }
                    break;
                default:
                    RowTable.Write(context.Out, showValues ? ["NAME", "KEY", "VALUE"] : ["NAME", "KEYS", "PROBLEM"], chosen.SelectMany(name =>
                        snapshot.Secrets.TryGetValue(name, out var map)
                            ? showValues
                                ? map.Select(p => (IReadOnlyList<string>)[name, p.Key, p.Value.ReplaceLineEndings("\\n")])
                                : [[name, string.Join(", ", map.Keys), ""]]
                            : [(IReadOnlyList<string>)[name, "", snapshot.SecretErrors.GetValueOrDefault(name) ?? ""]]));
                    break;
            }
            return failed ? ExitCodes.Failure : ExitCodes.Success;
        });
        return command;
    }

    private static Command Delete(CliContext context)
    {
        var names = new Argument<string[]>("name") { Description = "The secrets to delete", Arity = ArgumentArity.OneOrMore };
        names.Validators.Add(KindArgument.RejectFlags);
        var storeFlags = new StoreFlags();
        names.CompletionSources.Add(ObjectNameCompletion.Secrets(storeFlags, context));
        var command = new Command("delete", "Delete secrets") { names };
        foreach (var option in storeFlags.All)
        {
            command.Add(option);
        }
        CommandAction.Set(command, context, async (parseResult, cancellationToken) =>
        {
            var store = storeFlags.Open(parseResult, context);
            using var disposable = store as IDisposable;
            var secrets = SecretStore.For(store);
            var failed = false;
            foreach (var name in parseResult.GetValue(names) ?? [])
            {
                if (await secrets.DeleteAsync(name, cancellationToken))
                {
                    context.Out.WriteLine($"secret/{name} deleted");
                }
                else
                {
                    failed = true;
                    var known = (await store.LoadAsync(cancellationToken)).Secrets.Keys;
                    context.Error($"secret '{name}': not found in {storeFlags.Describe(parseResult, context)}{ObjectListing.Suggest(name, known)}");
                }
            }
            return failed ? ExitCodes.Failure : ExitCodes.Success;
        });
        return command;
    }

    /// <summary>What a value looks like without it: its length only.</summary>
    private static string Hidden(string value) => $"<hidden: {value.Length} characters; --show-values prints it>";

    private static List<KeyValuePair<string, string>> KeyValues(string[]? items, string flag)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        foreach (var item in items ?? [])
        {
            var equals = item.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                // The value is not echoed: it may be the secret itself.
                throw new CliException($"{flag}: expected KEY=VALUE");
            }
            pairs.Add(new(item[..equals], item[(equals + 1)..]));
        }
        return pairs;
    }

    private static async Task<string> ReadFileAsync(string path, string flag, CancellationToken cancellationToken) =>
        File.Exists(path) ? await File.ReadAllTextAsync(path, cancellationToken) : throw new CliException($"{flag}: {path}: no such file");

    /// <summary>The <c>[profile]</c> section of an AWS credentials file (INI).</summary>
    private static (string Id, string Key) ReadAwsCredentials(string path, string profile)
    {
        if (!File.Exists(path))
        {
            throw new CliException($"no AWS credentials: {path} does not exist (give -f FILE, --env, or --access-key-id with --secret-access-key)");
        }
        string? section = null, id = null, key = null;
        foreach (var raw in File.ReadLines(path))
        {
            var line = raw.Trim();
            if (line.StartsWith('[') && line.EndsWith(']'))
            {
                section = line[1..^1].Trim();
                continue;
            }
            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (section != profile || equals < 0 || line.StartsWith('#') || line.StartsWith(';'))
            {
                continue;
            }
            var name = line[..equals].Trim();
            var value = line[(equals + 1)..].Trim();
            if (name == "aws_access_key_id")
            {
                id = value;
            }
            else if (name == "aws_secret_access_key")
            {
                key = value;
            }
        }
        return id is { Length: > 0 } && key is { Length: > 0 }
            ? (id, key)
            : throw new CliException($"{path}: profile [{profile}] has no aws_access_key_id and aws_secret_access_key");
    }
}
