using Google.Rpc;
using Grpc.Core;

namespace RegistryExchange.Authority.Tests.Infrastructure;

public static class Rpc
{
    public static async Task<RpcException> FailsAsync(StatusCode code, Func<Task> call)
    {
        var e = await Assert.ThrowsAsync<RpcException>(call);
        Assert.True(e.StatusCode == code, $"Expected {code} but got {e.StatusCode}: {e.Status.Detail}");
        return e;
    }

    public static IReadOnlyList<BadRequest.Types.FieldViolation> FieldViolations(this RpcException e) =>
        e.GetRpcStatus()?.GetDetail<BadRequest>()?.FieldViolations.ToList() ?? [];

    public static ErrorInfo? ErrorInfo(this RpcException e) => e.GetRpcStatus()?.GetDetail<ErrorInfo>();
}
