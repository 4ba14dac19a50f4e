using System.Net;
using System.Text.Json;
using Grpc.Core;
using RegistryExchange.Authority.Tests.Infrastructure;
using RegistryExchange.Protocol.Identity;
using W = RegistryExchange.Contracts.V1;

namespace RegistryExchange.Authority.Tests.Identity;

public abstract class TokenEndpointTests(AuthorityFixture fixture) : AuthorityTestBase(fixture)
{
    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();

    [Fact]
    public async Task A_school_agent_gets_an_ES256_token_with_the_contract_claims()
    {
        var school = Fixture.NewSchool();

        var token = await Fixture.RequestTokenAsync(school.Key, AuthorityFixture.SecretOf(school.Key));

        var header = Jws.Header(token);
        var payload = Jws.Payload(token);
        Assert.Equal("ES256", (string?)header["alg"]);
        Assert.Equal("at+jwt", (string?)header["typ"]);
        Assert.False(string.IsNullOrEmpty((string?)header["kid"]));
        Assert.Null(header["enc"]); // a plain JWS, not encrypted
        Assert.Equal(AuthorityFixture.Issuer, (string?)payload["iss"]);
        Assert.Equal(ExchangeAudiences.Authority, (string?)payload["aud"]);
        Assert.Equal(school.Key, (string?)payload[ExchangeClaims.ClientId]);
        Assert.Equal(ClientKinds.School, (string?)payload[ExchangeClaims.Kind]);
        Assert.Equal(school.Code, (string?)payload[ExchangeClaims.SchoolCode]);
        Assert.Equal(["certificates", "reconcile", "sync", "transfers"], ((string?)payload["scope"])!.Split(' ').Order(StringComparer.Ordinal));
        var lifetime = (long)payload["exp"]! - (long)payload["iat"]!;
        Assert.InRange(lifetime, 1, 600);
    }

    [Fact]
    public async Task A_client_that_asks_for_fewer_scopes_gets_only_those()
    {
        var token = await Fixture.RequestTokenAsync(AuthorityFixture.StaffKey, AuthorityFixture.SecretOf(AuthorityFixture.StaffKey), "feed");

        Assert.Equal("feed", (string?)Jws.Payload(token)["scope"]);
        Assert.Null(Jws.Payload(token)[ExchangeClaims.SchoolCode]);
        // Without admin in its token, staff cannot list duplicate cases.
        var cases = new W.DuplicateCaseService.DuplicateCaseServiceClient(Fixture.ChannelWithToken(token));
        await Rpc.FailsAsync(StatusCode.PermissionDenied, async () => await cases.ListDuplicateCasesAsync(new W.ListDuplicateCasesRequest()));
    }

    [Fact]
    public async Task A_wrong_secret_is_invalid_client()
    {
        var school = Fixture.NewSchool();

        using var response = await Fixture.PostTokenRequestAsync(school.Key, "not-the-secret-of-this-client");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_client", (await JsonAsync(response)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task An_unknown_client_is_invalid_client()
    {
        using var response = await Fixture.PostTokenRequestAsync("no-such-client", "whatever-secret-it-is");

        Assert.Equal("invalid_client", (await JsonAsync(response)).GetProperty("error").GetString());
    }

    [Theory]
    [InlineData("admin")]
    [InlineData("sync audit")]
    [InlineData("verify")]
    public async Task A_scope_outside_the_clients_kind_is_invalid_scope(string scope)
    {
        var school = Fixture.NewSchool();

        using var response = await Fixture.PostTokenRequestAsync(school.Key, AuthorityFixture.SecretOf(school.Key), scope);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_scope", (await JsonAsync(response)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task An_unknown_scope_is_invalid_scope()
    {
        using var response = await Fixture.PostTokenRequestAsync(AuthorityFixture.StaffKey, AuthorityFixture.SecretOf(AuthorityFixture.StaffKey), "everything");

        Assert.Equal("invalid_scope", (await JsonAsync(response)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task Discovery_names_the_issuer_token_endpoint_and_JWKS_and_the_JWKS_holds_public_P256_keys_only()
    {
        using var http = Fixture.Factory.CreateClient();

        var discovery = JsonDocument.Parse(await http.GetStringAsync(new Uri(".well-known/openid-configuration", UriKind.Relative))).RootElement;
        var jwks = JsonDocument.Parse(await http.GetStringAsync(new Uri(".well-known/jwks", UriKind.Relative))).RootElement;

        Assert.Equal(AuthorityFixture.Issuer, discovery.GetProperty("issuer").GetString());
        Assert.Equal(AuthorityFixture.Issuer + "connect/token", discovery.GetProperty("token_endpoint").GetString());
        Assert.Equal(AuthorityFixture.Issuer + ".well-known/jwks", discovery.GetProperty("jwks_uri").GetString());
        Assert.Contains("client_credentials", discovery.GetProperty("grant_types_supported").EnumerateArray().Select(e => e.GetString()));
        var keys = jwks.GetProperty("keys").EnumerateArray().ToList();
        Assert.NotEmpty(keys);
        Assert.All(keys, k =>
        {
            Assert.Equal("EC", k.GetProperty("kty").GetString());
            Assert.Equal("P-256", k.GetProperty("crv").GetString());
            Assert.False(k.TryGetProperty("d", out _), "a private key part is published");
        });
        var token = await Fixture.RequestTokenAsync(AuthorityFixture.FeedKey, AuthorityFixture.SecretOf(AuthorityFixture.FeedKey));
        Assert.Contains((string?)Jws.Header(token)["kid"], keys.Select(k => k.GetProperty("kid").GetString()));
    }

    [Fact]
    public async Task Only_the_client_credentials_grant_is_served()
    {
        using var http = Fixture.Factory.CreateClient();
        using var content = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password", ["username"] = "a", ["password"] = "b",
            ["client_id"] = AuthorityFixture.StaffKey, ["client_secret"] = AuthorityFixture.SecretOf(AuthorityFixture.StaffKey),
        });

        using var response = await http.PostAsync(new Uri("connect/token", UriKind.Relative), content);

        Assert.Equal("unsupported_grant_type", (await JsonAsync(response)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task The_seeded_secret_is_stored_hashed()
    {
        await using var db = Fixture.OpenDb();
        var stored = db.Set<OpenIddict.EntityFrameworkCore.Models.OpenIddictEntityFrameworkCoreApplication>()
            .Single(a => a.ClientId == AuthorityFixture.StaffKey).ClientSecret;

        Assert.False(string.IsNullOrEmpty(stored));
        Assert.DoesNotContain(AuthorityFixture.SecretOf(AuthorityFixture.StaffKey), stored, StringComparison.Ordinal);
    }
}

[Trait("Database", "SQLite")]
public sealed class SqliteTokenEndpointTests(SqliteFixture fixture) : TokenEndpointTests(fixture), IClassFixture<SqliteFixture>;

[Trait("Database", "PostgreSQL")]
public sealed class PostgresTokenEndpointTests(PostgresFixture fixture) : TokenEndpointTests(fixture), IClassFixture<PostgresFixture>;
