using Sluice.Plugins.Aws;

namespace Sluice.Tests.Plugins.Aws;

/// <summary>Every header-signing case of AWS's SigV4 test suite, read in place from testdata.</summary>
public sealed class SigV4SignerTests
{
    public static IEnumerable<object[]> Cases() => SigV4SuiteCase.Names();

    [Fact]
    public void The_suite_is_there_whole()
    {
        Assert.Equal(38, SigV4SuiteCase.Names().Count());
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Header_signing_matches_the_vector(string name)
    {
        var test = SigV4SuiteCase.Load(name);
        var signer = new SigV4Signer(new AwsCredentials(test.AccessKey, test.SecretKey, test.Token), test.Region, test.Service)
        {
            NormalizePath = test.Normalize,
            SignBody = test.SignBody,
            OmitSessionToken = test.OmitSessionToken,
        };

        var signature = signer.Sign(test.Method, test.RequestPath, test.Query, test.Headers, test.Body, test.Timestamp);

        Assert.Equal(test.Expected("header-canonical-request.txt"), signature.CanonicalRequest);
        Assert.Equal(test.Expected("header-string-to-sign.txt"), signature.StringToSign);
        Assert.Equal(test.Expected("header-signature.txt"), signature.Signature);
        Assert.Contains("Authorization:" + signature.Authorization + "\n", test.Expected("header-signed-request.txt"));
    }

    [Fact]
    public void A_prepared_template_signs_again_with_the_cached_day_key()
    {
        var test = SigV4SuiteCase.Load("post-x-www-form-urlencoded");
        var signer = new SigV4Signer(new AwsCredentials(test.AccessKey, test.SecretKey), test.Region, test.Service) { SignBody = true };
        var template = signer.Prepare(test.Method, test.RequestPath, test.Query, test.Headers);
        var hash = SigV4Signer.HashHex(test.Body);

        var first = template.Sign(test.Timestamp, hash);
        var second = template.Sign(test.Timestamp, hash);
        var nextDay = template.Sign(test.Timestamp.AddDays(1), hash);

        Assert.Equal(test.Expected("header-signature.txt"), first.Signature);
        Assert.Equal(first.Signature, second.Signature);
        Assert.NotEqual(first.Signature, nextDay.Signature);
        Assert.Equal(test.Expected("header-signature.txt"), template.Sign(test.Timestamp, hash).Signature);
    }
}
