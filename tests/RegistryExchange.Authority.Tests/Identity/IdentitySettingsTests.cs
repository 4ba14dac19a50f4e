using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.IdentityModel.Tokens;
using RegistryExchange.Authority.Tests.Infrastructure;
using RegistryExchange.Protocol.Identity;
using W = RegistryExchange.Contracts.V1;

namespace RegistryExchange.Authority.Tests.Identity;

/// <summary>Start-up refuses unsafe identity settings; clients may authenticate with signed assertions (private_key_jwt).</summary>
[Trait("Database", "SQLite")]
public sealed class IdentitySettingsTests(SqliteFixture fixture) : AuthorityTestBase(fixture), IClassFixture<SqliteFixture>
{
    private string StartFails(Action<IWebHostBuilder> configure)
    {
        var e = Assert.ThrowsAny<Exception>(() => Fixture.StartCustomInstance(configure).Dispose());
        return e.ToString();
    }

    [Fact]
    public void A_token_lifetime_above_ten_minutes_refuses_to_start()
    {
        Assert.Contains("Identity:AccessTokenLifetime", StartFails(b => b.UseSetting("Identity:AccessTokenLifetime", "00:10:01")), StringComparison.Ordinal);
    }

    [Fact]
    public void An_http_issuer_outside_the_development_profiles_refuses_to_start()
    {
        Assert.Contains("https", StartFails(b => b.UseEnvironment("Production")), StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_overlap_shorter_than_the_token_lifetime_refuses_to_start()
    {
        Assert.Contains("Identity:KeyOverlap", StartFails(b => b.UseSetting("Identity:KeyOverlap", "00:05:00")), StringComparison.Ordinal);
    }

    [Fact]
    public void A_seed_agent_of_an_unknown_school_refuses_to_start()
    {
        var message = StartFails(b =>
        {
            b.UseSetting("Identity:SeedClients:200:ClientId", "agent-of-nobody");
            b.UseSetting("Identity:SeedClients:200:ClientSecret", "a-long-enough-secret");
            b.UseSetting("Identity:SeedClients:200:Kind", "SchoolAgent");
            b.UseSetting("Identity:SeedClients:200:SchoolCode", "NOSUCHSCHOOL");
        });
        Assert.Contains("NOSUCHSCHOOL", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_seeded_client_that_staff_disabled_stays_disabled_after_a_restart()
    {
        void Seed(IWebHostBuilder b)
        {
            b.UseSetting("Identity:SeedClients:150:ClientId", "seeded-then-disabled");
            b.UseSetting("Identity:SeedClients:150:ClientSecret", AuthorityFixture.SecretOf("seeded-then-disabled"));
            b.UseSetting("Identity:SeedClients:150:Kind", "FeedConsumer");
        }
        await using (var first = Fixture.StartCustomInstance(Seed))
        {
            using var staff = AuthorityFixture.ChannelWith(first, ct => Fixture.RequestTokenAsync(AuthorityFixture.StaffKey, AuthorityFixture.SecretOf(AuthorityFixture.StaffKey), null, first, ct));
            await new W.ClientAdminService.ClientAdminServiceClient(staff)
                .DisableClientAsync(new W.DisableClientRequest { ClientId = "seeded-then-disabled", Reason = "泄露" });
        }

        await using var restarted = Fixture.StartCustomInstance(Seed);
        using var refused = await Fixture.PostTokenRequestAsync("seeded-then-disabled", AuthorityFixture.SecretOf("seeded-then-disabled"), null, restarted);

        Assert.False(refused.IsSuccessStatusCode);
    }

    [Fact]
    public async Task A_client_with_a_registered_JWKS_gets_a_token_with_a_signed_assertion_and_a_wrong_key_does_not()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var p = key.ExportParameters(false);
        var jwks = new JsonObject
        {
            ["keys"] = new JsonArray(new JsonObject
            {
                ["kty"] = "EC", ["crv"] = "P-256", ["use"] = "sig", ["alg"] = "ES256", ["kid"] = "client-key-1",
                ["x"] = Base64UrlEncoder.Encode(p.Q.X), ["y"] = Base64UrlEncoder.Encode(p.Q.Y),
            }),
        };
        var admin = new W.ClientAdminService.ClientAdminServiceClient(Fixture.Channel(AuthorityFixture.StaffKey));
        var registered = await admin.RegisterClientAsync(new W.RegisterClientRequest
        {
            Kind = W.ClientKind.FeedConsumer, DisplayName = "签名断言客户端", JsonWebKeySet = jwks.ToJsonString(),
        });
        var clientId = registered.Client.ClientId;

        using var accepted = await PostAssertionAsync(clientId, Assertion(clientId, key, "client-key-1"));
        using var stranger = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var refused = await PostAssertionAsync(clientId, Assertion(clientId, stranger, "client-key-1"));

        var body = await accepted.Content.ReadAsStringAsync();
        Assert.True(accepted.StatusCode == HttpStatusCode.OK, body);
        var token = JsonDocument.Parse(body).RootElement.GetProperty("access_token").GetString()!;
        Assert.Equal(clientId, (string?)Jws.Payload(token)[ExchangeClaims.ClientId]);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    private static string Assertion(string clientId, ECDsa key, string keyId)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var payload = new JsonObject
        {
            ["iss"] = clientId, ["sub"] = clientId, ["aud"] = AuthorityFixture.Issuer, // the issuer itself (RFC 7523bis)
            ["jti"] = Guid.NewGuid().ToString("N"), ["iat"] = now, ["nbf"] = now, ["exp"] = now + 120,
        };
        // The explicit type OpenIddict requires for client assertions (draft-ietf-oauth-rfc7523bis).
        return Jws.Sign(payload, key, keyId, "client-authentication+jwt");
    }

    private async Task<HttpResponseMessage> PostAssertionAsync(string clientId, string assertion)
    {
        using var http = Fixture.Factory.CreateClient();
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ["client_assertion"] = assertion,
        });
        return await http.PostAsync(new Uri("connect/token", UriKind.Relative), form);
    }
}
