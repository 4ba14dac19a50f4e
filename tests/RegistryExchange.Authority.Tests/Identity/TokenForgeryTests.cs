using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Grpc.Core;
using RegistryExchange.Authority.Tests.Infrastructure;
using RegistryExchange.Protocol.Identity;
using W = RegistryExchange.Contracts.V1;

namespace RegistryExchange.Authority.Tests.Identity;

/// <summary>
/// Tokens nobody issued. Each forgery starts from a real token (so it carries a real token entry) and changes one
/// thing; the control re-signs the real payload with the real key and must pass, so a rejection is for that one thing.
/// </summary>
[Trait("Database", "SQLite")]
public sealed class TokenForgeryTests(SqliteFixture fixture) : AuthorityTestBase(fixture), IClassFixture<SqliteFixture>
{
    private async Task<(TestSchool School, string Token)> RealTokenAsync()
    {
        var school = Fixture.NewSchool();
        return (school, await Fixture.RequestTokenAsync(school.Key, AuthorityFixture.SecretOf(school.Key)));
    }

    private Task<W.GetHighWaterMarkResponse> CallAsync(string token) =>
        new W.SyncService.SyncServiceClient(Fixture.ChannelWithToken(token)).GetHighWaterMarkAsync(new W.GetHighWaterMarkRequest()).ResponseAsync;

    private Task<RpcException> RejectedAsync(string token) => Rpc.FailsAsync(StatusCode.Unauthenticated, () => CallAsync(token));

    private ECDsa RealKey(string token) => Jws.RingKey(Fixture.KeyDirectory, (string)Jws.Header(token)["kid"]!);

    [Fact]
    public async Task Control_the_real_payload_re_signed_with_the_real_key_is_accepted()
    {
        var (_, token) = await RealTokenAsync();
        using var key = RealKey(token);

        await CallAsync(Jws.Sign(Jws.Payload(token), key, (string)Jws.Header(token)["kid"]!));
    }

    [Fact]
    public async Task A_token_with_alg_none_is_rejected()
    {
        var (_, token) = await RealTokenAsync();

        await RejectedAsync(Jws.WithoutSignature(Jws.Payload(token), (string)Jws.Header(token)["kid"]!));
    }

    [Fact]
    public async Task A_token_signed_with_an_unknown_key_is_rejected_whatever_kid_it_names()
    {
        var (_, token) = await RealTokenAsync();
        using var stranger = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        await RejectedAsync(Jws.Sign(Jws.Payload(token), stranger, "unknown-key"));
        await RejectedAsync(Jws.Sign(Jws.Payload(token), stranger, (string)Jws.Header(token)["kid"]!));
    }

    [Fact]
    public async Task A_tampered_payload_is_rejected()
    {
        var (_, token) = await RealTokenAsync();
        var other = Fixture.NewSchool();
        var payload = Jws.Payload(token);
        payload[ExchangeClaims.SchoolCode] = other.Code;

        await RejectedAsync(Jws.WithPayload(token, payload));
    }

    [Fact]
    public async Task A_token_for_another_audience_is_rejected()
    {
        var (_, token) = await RealTokenAsync();
        using var key = RealKey(token);
        var payload = Jws.Payload(token);
        payload["aud"] = "another-resource";

        await RejectedAsync(Jws.Sign(payload, key, (string)Jws.Header(token)["kid"]!));
    }

    [Fact]
    public async Task A_token_from_another_issuer_is_rejected()
    {
        var (_, token) = await RealTokenAsync();
        using var key = RealKey(token);
        var payload = Jws.Payload(token);
        payload["iss"] = "http://evil.example/";

        await RejectedAsync(Jws.Sign(payload, key, (string)Jws.Header(token)["kid"]!));
    }

    [Fact]
    public async Task A_token_without_a_token_entry_is_rejected_even_when_signed_with_the_real_key()
    {
        var (_, token) = await RealTokenAsync();
        using var key = RealKey(token);
        var payload = Jws.Payload(token);
        payload.Remove("oi_tkn_id");

        await RejectedAsync(Jws.Sign(payload, key, (string)Jws.Header(token)["kid"]!));
    }

    [Fact]
    public async Task A_school_token_cannot_be_turned_into_a_staff_token()
    {
        var (_, token) = await RealTokenAsync();
        var payload = Jws.Payload(token);
        payload[ExchangeClaims.Kind] = ClientKinds.Staff;
        payload["scope"] = "admin audit";
        var forged = Jws.WithPayload(token, payload);

        await Rpc.FailsAsync(StatusCode.Unauthenticated, async () =>
            await new W.ClientAdminService.ClientAdminServiceClient(Fixture.ChannelWithToken(forged)).ListClientsAsync(new W.ListClientsRequest()));
    }

    [Fact]
    public async Task Garbage_is_rejected()
    {
        await RejectedAsync("not.a.token");
        await RejectedAsync(Jws.Encode(new JsonObject { ["alg"] = "ES256" }));
    }
}
