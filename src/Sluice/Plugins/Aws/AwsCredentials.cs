namespace Sluice.Plugins.Aws;

/// <summary>An AWS access key pair and, for temporary credentials, the session token.</summary>
public sealed record AwsCredentials(string AccessKey, string SecretKey, string? SessionToken = null)
{
    // Keep secrets out of logs and the admin plan dump, which print records.
    public override string ToString() => $"AwsCredentials {{ AccessKey = {AccessKey} }}";
}
