using System.Text;

namespace Sluice.Plugins.Aws;

/// <summary>
/// One request shape, canonicalised once: the canonical request is stored as fixed text with
/// holes for what changes per call (the date, the payload hash). Signing fills the holes,
/// hashes, and runs one HMAC with the cached day key.
/// </summary>
public sealed class SigV4Template
{
    private const string DateHeader = "x-amz-date";
    private const string ContentHeader = "x-amz-content-sha256";
    private const string TokenHeader = "x-amz-security-token";

    private readonly SigV4Signer _signer;
    // Alternating fixed text and holes: _parts[i] is text; _holes[i] follows it (null at the end).
    private readonly string[] _parts;
    private readonly Hole[] _holes;
    private readonly string _credentialPrefix;
    private readonly string _authorizationPrefix;

    internal SigV4Template(SigV4Signer signer, string method, string canonicalUri, string canonicalQuery, IEnumerable<KeyValuePair<string, string>> headers)
    {
        _signer = signer;
        var byName = new SortedDictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (name, value) in headers)
        {
            var key = name.Trim().ToLowerInvariant();
            var canonical = SigV4Canonical.HeaderValue(value);
            byName[key] = byName.TryGetValue(key, out var existing) ? existing + "," + canonical : canonical;
        }
        // The signer owns these; a caller's copy would be signed with the wrong value.
        byName.Remove(DateHeader);
        byName.Remove(ContentHeader);
        byName.Remove(TokenHeader);
        byName[DateHeader] = null;
        if (signer.SignBody)
        {
            byName[ContentHeader] = null;
        }
        if (signer.Credentials.SessionToken is { } token && !signer.OmitSessionToken)
        {
            byName[TokenHeader] = SigV4Canonical.HeaderValue(token);
        }
        SignedHeaders = string.Join(';', byName.Keys);

        var parts = new List<string>();
        var holes = new List<Hole>();
        var text = new StringBuilder();
        text.Append(method).Append('\n').Append(canonicalUri).Append('\n').Append(canonicalQuery).Append('\n');
        foreach (var (name, value) in byName)
        {
            text.Append(name).Append(':');
            if (value is null)
            {
                parts.Add(text.ToString());
                holes.Add(name == DateHeader ? Hole.AmzDate : Hole.PayloadHash);
                text.Clear();
            }
            else
            {
                text.Append(value);
            }
            text.Append('\n');
        }
        text.Append('\n').Append(SignedHeaders).Append('\n');
        parts.Add(text.ToString());
        holes.Add(Hole.PayloadHash);
        _parts = parts.ToArray();
        _holes = holes.ToArray();
        _credentialPrefix = $"{signer.Region}/{signer.Service}/aws4_request";
        _authorizationPrefix = $"{SigV4Signer.Algorithm} Credential={signer.Credentials.AccessKey}/";
    }

    /// <summary>Lower-case names of the signed headers, ';'-separated.</summary>
    public string SignedHeaders { get; }

    public SigV4Signature Sign(DateTime utcNow, string payloadHash)
    {
        var (amzDate, date) = SigV4Signer.Stamps(utcNow);
        var canonical = new StringBuilder(256);
        for (var i = 0; i < _parts.Length; i++)
        {
            canonical.Append(_parts[i]).Append(_holes[i] == Hole.AmzDate ? amzDate : payloadHash);
        }
        var canonicalRequest = canonical.ToString();
        var scope = $"{date}/{_credentialPrefix}";
        var stringToSign = $"{SigV4Signer.Algorithm}\n{amzDate}\n{scope}\n{SigV4Signer.HashHex(Encoding.UTF8.GetBytes(canonicalRequest))}";
        Span<byte> mac = stackalloc byte[32];
        _signer.Mac(date, Encoding.UTF8.GetBytes(stringToSign), mac);
        var signature = Convert.ToHexStringLower(mac);
        var authorization = $"{_authorizationPrefix}{scope}, SignedHeaders={SignedHeaders}, Signature={signature}";
        return new SigV4Signature(
            canonicalRequest, stringToSign, signature, authorization, amzDate,
            _signer.Credentials.SessionToken, _signer.SignBody ? payloadHash : null);
    }

    private enum Hole : byte
    {
        AmzDate,
        PayloadHash,
    }
}
