using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Sluice.Plugins.Aws;

/// <summary>
/// AWS Signature Version 4 (header signing). Sluice carries its own because the AWS SDK does not
/// restore here; it reproduces every header case of AWS's published test suite. One signer per
/// credentials/region/service: it caches the day's signing key, and <see cref="Prepare"/> does
/// the per-request-shape work once so a request only hashes its payload and signs.
/// </summary>
public sealed class SigV4Signer
{
    public const string Algorithm = "AWS4-HMAC-SHA256";

    /// <summary>SHA-256 of nothing, the payload hash of every request without a body.</summary>
    public const string EmptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    private readonly byte[] _secretKeyBytes;
    private volatile DayKey? _dayKey;

    public SigV4Signer(AwsCredentials credentials, string region, string service)
    {
        Credentials = credentials;
        Region = region;
        Service = service;
        _secretKeyBytes = Encoding.UTF8.GetBytes("AWS4" + credentials.SecretKey);
    }

    public AwsCredentials Credentials { get; }

    public string Region { get; }

    public string Service { get; }

    /// <summary>Normalise the URI path (dot and empty segments); every AWS service but S3 wants it.</summary>
    public bool NormalizePath { get; init; } = true;

    /// <summary>Send and sign <c>x-amz-content-sha256</c> (S3 style).</summary>
    public bool SignBody { get; init; }

    /// <summary>Send the session token unsigned (added after signing), as a few services require.</summary>
    public bool OmitSessionToken { get; init; }

    /// <summary>
    /// Compiles the parts of a request that do not change between calls: method, canonical URI
    /// and query, and the headers to sign (lower-cased, sorted, values canonical).
    /// </summary>
    public SigV4Template Prepare(string method, string path, string query, IEnumerable<KeyValuePair<string, string>> headers) =>
        new(this, method, SigV4Canonical.Uri(path, NormalizePath), SigV4Canonical.Query(query), headers);

    /// <summary>Signs one request; <paramref name="body"/> is hashed as the payload.</summary>
    public SigV4Signature Sign(string method, string path, string query, IEnumerable<KeyValuePair<string, string>> headers, ReadOnlySpan<byte> body, DateTime utcNow) =>
        Prepare(method, path, query, headers).Sign(utcNow, HashHex(body));

    public static string HashHex(ReadOnlySpan<byte> data)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(data, hash);
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>
    /// The HMAC chain's key for a day. Only the last day's is kept: requests move forward in
    /// time, so the key changes once a day and is computed by whichever request sees it first.
    /// </summary>
    internal byte[] SigningKey(string date)
    {
        var cached = _dayKey;
        if (cached is not null && cached.Date == date)
        {
            return cached.Key;
        }
        var key = HMACSHA256.HashData(_secretKeyBytes, Encoding.UTF8.GetBytes(date));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(Region));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(Service));
        key = HMACSHA256.HashData(key, "aws4_request"u8);
        _dayKey = new DayKey(date, key);
        return key;
    }

    internal static (string AmzDate, string Date) Stamps(DateTime utcNow)
    {
        utcNow = utcNow.ToUniversalTime();
        return (utcNow.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture), utcNow.ToString("yyyyMMdd", CultureInfo.InvariantCulture));
    }

    private sealed record DayKey(string Date, byte[] Key);
}
