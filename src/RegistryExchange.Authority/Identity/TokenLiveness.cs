using Grpc.Core;
using OpenIddict.Abstractions;
using RegistryExchange.Protocol;

namespace RegistryExchange.Authority.Identity;

/// <summary>
/// A token is checked when a call starts; a stream can outlive that check. Long calls (the push stream, a followed
/// feed) ask again before each unit of work, so a token that expired or was revoked (its client disabled) stops
/// the stream at once instead of at its end.
/// </summary>
public sealed class TokenLiveness(IServiceScopeFactory scopes, TimeProvider time)
{
    public async Task EnsureStillValidAsync(ServerCallContext context, CancellationToken ct)
    {
        // A scope of its own: the call's scope tracked the token entry when the call started and would answer from that.
        await using var scope = scopes.CreateAsyncScope();
        var tokens = scope.ServiceProvider.GetRequiredService<IOpenIddictTokenManager>();
        var tokenId = context.GetHttpContext().User.GetTokenId();
        var token = string.IsNullOrEmpty(tokenId) ? null : await tokens.FindByIdAsync(tokenId, ct);
        if (token is null || !await tokens.HasStatusAsync(token, OpenIddictConstants.Statuses.Valid, ct))
        {
            throw NoLongerValid("was revoked (its client was disabled)");
        }
        if (await tokens.GetExpirationDateAsync(token, ct) is { } expires && expires <= time.GetUtcNow())
        {
            throw NoLongerValid("has expired");
        }
    }

    private static RpcException NoLongerValid(string why) =>
        RichErrors.WithReason(StatusCode.Unauthenticated, "TOKEN_NO_LONGER_VALID", $"The access token of this call {why}; get a new token and call again.");
}
