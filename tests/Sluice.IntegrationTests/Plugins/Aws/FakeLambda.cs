using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Sluice.IntegrationTests.Plugins.Aws;

/// <summary>
/// A local stand-in for the Lambda Invoke API on a real loopback Kestrel server. It checks
/// each request's SigV4 signature as AWS does, recomputed from what arrived on the wire (raw
/// request target, received headers, received body) with its own canonicalisation, and answers
/// 403 when it does not match. Functions: <c>echo</c> (returns what it got), <c>fail</c> (a
/// function error), <c>api</c> (an API Gateway proxy result describing the event it got),
/// <c>binary</c> (a base64 proxy result), <c>slow</c> (answers after 5 s), <c>flaky</c> (the Invoke API
/// itself answers 500 ServiceException while <see cref="FailNext"/> lasts, then echoes); any other name is 404, as in AWS.
/// <c>GET /2015-03-31/functions/</c> is ListFunctions over <see cref="Listed"/>, two per page, with
/// an opaque <c>NextMarker</c> that needs escaping in a query (as AWS's base64 markers do).
/// </summary>
internal sealed class FakeLambda : IAsyncDisposable
{
    private const string Prefix = "/2015-03-31/functions/";
    private readonly WebApplication _app;
    private readonly Dictionary<string, (string Secret, string? Token)> _keys;

    private FakeLambda(WebApplication app, int port, Dictionary<string, (string, string?)> keys)
    {
        _app = app;
        Port = port;
        _keys = keys;
    }

    public int Port { get; }

    public string Region { get; } = "us-east-1";

    public ConcurrentQueue<Invocation> Invocations { get; } = new();

    public int Refused;

    private int _failNext;

    /// <summary>The next <paramref name="count"/> invocations of <c>flaky</c> fail with AWS's own 500.</summary>
    public void FailNext(int count) => Volatile.Write(ref _failNext, count);

    /// <summary>Functions (name, version) that ListFunctions returns.</summary>
    public List<(string Name, string Version)> Listed { get; } = [];

    public int ListCalls;

    public sealed record Invocation(string Function, string? Qualifier, string InvocationType, string Payload);

    /// <summary>Starts with the given access keys: id → (secret, session token the key requires).</summary>
    public static async Task<FakeLambda> StartAsync(Dictionary<string, (string, string?)> keys)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        FakeLambda? fake = null;
        app.Run(context => fake!.HandleAsync(context));
        // Port 0: the OS picks a free port at bind time, so parallel tests never race for one.
        await app.StartAsync();
        var port = new Uri(app.Urls.First()).Port;
        fake = new FakeLambda(app, port, keys);
        return fake;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var rawTarget = context.Features.Get<IHttpRequestFeature>()!.RawTarget;
        var question = rawTarget.IndexOf('?');
        var rawPath = question < 0 ? rawTarget : rawTarget[..question];
        var rawQuery = question < 0 ? "" : rawTarget[(question + 1)..];
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        var body = buffer.ToArray();

        if (Verify(request, rawPath, rawQuery, body) is { } refusal)
        {
            Interlocked.Increment(ref Refused);
            context.Response.StatusCode = 403;
            context.Response.Headers["x-amzn-ErrorType"] = refusal.Type;
            await context.Response.WriteAsJsonAsync(new { message = refusal.Message });
            return;
        }

        if (request.Method == "GET" && rawPath == Prefix)
        {
            await ListFunctionsAsync(context);
            return;
        }
        if (request.Method != "POST" || !rawPath.StartsWith(Prefix, StringComparison.Ordinal) || !rawPath.EndsWith("/invocations", StringComparison.Ordinal))
        {
            context.Response.StatusCode = 404;
            return;
        }
        var name = Uri.UnescapeDataString(rawPath[Prefix.Length..^"/invocations".Length]);
        if (name.StartsWith("arn:", StringComparison.Ordinal))
        {
            name = name[(name.IndexOf(":function:", StringComparison.Ordinal) + ":function:".Length)..];
        }
        var qualifier = request.Query["Qualifier"].FirstOrDefault();
        var type = request.Headers["x-amz-invocation-type"].ToString();
        var payload = Encoding.UTF8.GetString(body);
        if (name is not ("echo" or "fail" or "api" or "binary" or "slow" or "flaky"))
        {
            context.Response.StatusCode = 404;
            context.Response.Headers["x-amzn-ErrorType"] = "ResourceNotFoundException";
            await context.Response.WriteAsJsonAsync(new { Type = "User", Message = $"Function not found: {name}" });
            return;
        }
        Invocations.Enqueue(new Invocation(name, qualifier, type, payload));
        if (type == "Event")
        {
            context.Response.StatusCode = 202;
            return;
        }
        switch (name)
        {
            case "flaky" when Interlocked.Decrement(ref _failNext) >= 0:
                context.Response.StatusCode = 500;
                context.Response.Headers["x-amzn-ErrorType"] = "ServiceException";
                await context.Response.WriteAsJsonAsync(new { Type = "Service", message = "internal failure" });
                break;
            case "flaky":
                await context.Response.WriteAsJsonAsync(new { function = name, qualifier, payload });
                break;
            case "slow":
                await Task.Delay(TimeSpan.FromSeconds(5), context.RequestAborted).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                break;
            case "echo":
                await context.Response.WriteAsJsonAsync(new { function = name, qualifier, payload });
                break;
            case "fail":
                context.Response.Headers["X-Amz-Function-Error"] = "Unhandled";
                await context.Response.WriteAsJsonAsync(new { errorMessage = "boom: the function threw", errorType = "Error" });
                break;
            case "api":
                var summary = DescribeEvent(payload);
                await context.Response.WriteAsJsonAsync(new
                {
                    statusCode = 201,
                    headers = new Dictionary<string, string> { ["x-from"] = "lambda", ["content-type"] = "text/plain" },
                    multiValueHeaders = new Dictionary<string, string[]> { ["set-cookie"] = ["a=1", "b=2"] },
                    body = summary,
                    isBase64Encoded = false,
                });
                break;
            case "binary":
                await context.Response.WriteAsJsonAsync(new { statusCode = 200, body = Convert.ToBase64String([0, 1, 2, 255]), isBase64Encoded = true });
                break;
        }
    }

    private async Task ListFunctionsAsync(HttpContext context)
    {
        Interlocked.Increment(ref ListCalls);
        const int PageSize = 2;
        var marker = context.Request.Query["Marker"].FirstOrDefault();
        var start = marker is null ? 0 : int.Parse(marker["next/".Length..^2], CultureInfo.InvariantCulture);
        var page = Listed.Skip(start).Take(PageSize).Select(f => new Dictionary<string, object>
        {
            ["FunctionName"] = f.Name,
            ["FunctionArn"] = $"arn:aws:lambda:{Region}:123456789012:function:{f.Name}",
            ["Version"] = f.Version,
            ["Runtime"] = "nodejs20.x",
        });
        var next = start + PageSize < Listed.Count ? $"next/{start + PageSize}==" : null;
        // AWS's member names as they are (no camelCase).
        await context.Response.WriteAsJsonAsync(new { Functions = page, NextMarker = next }, new JsonSerializerOptions());
    }

    /// <summary>"METHOD path q=… body" when the payload is an API Gateway proxy event, else "raw".</summary>
    private static string DescribeEvent(string payload)
    {
        try
        {
            using var document = JsonDocument.Parse(payload);
            var root = document.RootElement;
            if (!root.TryGetProperty("httpMethod", out var method))
            {
                return "raw";
            }
            var query = root.GetProperty("queryStringParameters");
            var q = query.ValueKind == JsonValueKind.Object && query.TryGetProperty("q", out var value) ? value.GetString() : null;
            var header = root.GetProperty("headers").TryGetProperty("X-Test", out var h) ? h.GetString() : null;
            return $"{method.GetString()} {root.GetProperty("path").GetString()} q={q} x-test={header} body={root.GetProperty("body")} b64={root.GetProperty("isBase64Encoded")}";
        }
        catch (JsonException)
        {
            return "raw";
        }
    }

    private (string Type, string Message)? Verify(HttpRequest request, string rawPath, string rawQuery, byte[] body)
    {
        var authorization = request.Headers.Authorization.ToString();
        const string algorithm = "AWS4-HMAC-SHA256 ";
        if (!authorization.StartsWith(algorithm, StringComparison.Ordinal))
        {
            return ("MissingAuthenticationTokenException", "Missing Authentication Token");
        }
        var fields = authorization[algorithm.Length..].Split(',', StringSplitOptions.TrimEntries)
            .Select(f => f.Split('=', 2)).ToDictionary(f => f[0], f => f.Length > 1 ? f[1] : "");
        var credential = fields.GetValueOrDefault("Credential", "").Split('/');
        var signedHeaders = fields.GetValueOrDefault("SignedHeaders", "");
        var signature = fields.GetValueOrDefault("Signature", "");
        if (credential.Length != 5 || !_keys.TryGetValue(credential[0], out var key))
        {
            return ("UnrecognizedClientException", "The security token included in the request is invalid.");
        }
        var amzDate = request.Headers["x-amz-date"].ToString();
        if (!DateTime.TryParseExact(amzDate, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var when)
            || Math.Abs((DateTime.UtcNow - when).TotalMinutes) > 5 || credential[1] != amzDate[..8])
        {
            return ("InvalidSignatureException", "Signature expired or date does not match the credential scope");
        }
        if (credential[2] != Region || credential[3] != "lambda" || credential[4] != "aws4_request")
        {
            return ("InvalidSignatureException", "Credential should be scoped to a valid region and service lambda");
        }
        var signedNames = signedHeaders.Split(';');
        if (!signedNames.Contains("host") || !signedNames.Contains("x-amz-date"))
        {
            return ("InvalidSignatureException", "host and x-amz-date must be signed");
        }
        if (key.Token is not null && (request.Headers["x-amz-security-token"] != key.Token || !signedNames.Contains("x-amz-security-token")))
        {
            return ("UnrecognizedClientException", "The security token included in the request is invalid.");
        }

        var canonical = new StringBuilder();
        canonical.Append(request.Method).Append('\n');
        // Lambda, like every service but S3, signs the path encoded once more than on the wire.
        canonical.Append(Escape(rawPath, keepSlash: true)).Append('\n');
        var query = rawQuery.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .Select(p => (Name: Escape(Uri.UnescapeDataString(p[0]), false), Value: Escape(Uri.UnescapeDataString(p.Length > 1 ? p[1] : ""), false)))
            .OrderBy(p => p.Name, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => $"{p.Name}={p.Value}");
        canonical.Append(string.Join('&', query)).Append('\n');
        foreach (var name in signedNames)
        {
            var values = request.Headers[name].Select(v => string.Join(' ', (v ?? "").Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries)));
            canonical.Append(name).Append(':').Append(string.Join(',', values)).Append('\n');
        }
        canonical.Append('\n').Append(signedHeaders).Append('\n');
        canonical.Append(Convert.ToHexStringLower(SHA256.HashData(body)));

        var scope = string.Join('/', credential[1..]);
        var stringToSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{scope}\n{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString())))}";
        var signingKey = Encoding.UTF8.GetBytes("AWS4" + key.Secret);
        foreach (var part in credential[1..])
        {
            signingKey = HMACSHA256.HashData(signingKey, Encoding.UTF8.GetBytes(part));
        }
        var expected = Convert.ToHexStringLower(HMACSHA256.HashData(signingKey, Encoding.UTF8.GetBytes(stringToSign)));
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(signature))
            ? null
            : ("InvalidSignatureException", "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.");
    }

    private static string Escape(string text, bool keepSlash)
    {
        var builder = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~' || (keepSlash && c == '/'))
            {
                builder.Append(c);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }
        return builder.ToString();
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
