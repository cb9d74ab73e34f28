using Sluice.Plugins.Grpc;

namespace Sluice.Tests.Plugins.Grpc;

public sealed class GrpcStatusCodesTests
{
    /// <summary>google/rpc/code.proto's HTTP mapping, code by code.</summary>
    [Theory]
    [InlineData(0, 200)]
    [InlineData(1, 499)]
    [InlineData(2, 500)]
    [InlineData(3, 400)]
    [InlineData(4, 504)]
    [InlineData(5, 404)]
    [InlineData(6, 409)]
    [InlineData(7, 403)]
    [InlineData(8, 429)]
    [InlineData(9, 400)]
    [InlineData(10, 409)]
    [InlineData(11, 400)]
    [InlineData(12, 501)]
    [InlineData(13, 500)]
    [InlineData(14, 503)]
    [InlineData(15, 500)]
    [InlineData(16, 401)]
    [InlineData(17, 500)]
    [InlineData(-1, 500)]
    public void Maps_every_code_to_its_http_status(int code, int status) => Assert.Equal(status, GrpcStatusCodes.ToHttpStatus(code));
}
