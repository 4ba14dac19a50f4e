extern alias authority;

using System.Security.Claims;
using System.Security.Cryptography;
using Grpc.Core;
using Grpc.Health.V1;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using RegistryExchange.Agent.Tests.Support;
using RegistryExchange.Protocol.Identity;
using W = RegistryExchange.Contracts.V1;

namespace RegistryExchange.Agent.Tests;

/// <summary>The agent's local API accepts only the authority's tokens of its own school's clients with scope sync
/// (docs/decisions/0008). Every token here comes from the real authority's token endpoint, except the forged ones.</summary>
public sealed class LocalApiAuthTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly AgentHost _agent;

    public LocalApiAuthTests() => _agent = new AgentHost(_dir.File("school.db"), AuthorityHost.SchoolA);

    public void Dispose()
    {
        _agent.Dispose();
        _dir.Dispose();
    }

    private W.SchoolRegisterService.SchoolRegisterServiceClient WithToken(string? token) =>
        new(_agent.AnonymousChannel().CreateCallInvoker().Intercept(token));

    private static async Task<StatusCode> StatusOf(Func<Task> call)
    {
        try
        {
            await call();
            return StatusCode.OK;
        }
        catch (RpcException e)
        {
            return e.StatusCode;
        }
    }

    /// <summary>Every RPC of the service, so a new one without the policy would show up here.</summary>
    private static IEnumerable<Func<Task>> EveryRpc(W.SchoolRegisterService.SchoolRegisterServiceClient client) =>
    [
        () => client.CreateStudentAsync(new W.CreateStudentRequest()).ResponseAsync,
        () => client.UpdateStudentAsync(new W.UpdateStudentRequest { LocalId = "x" }).ResponseAsync,
        () => client.ChangeStudentStatusAsync(new W.ChangeStudentStatusRequest { LocalId = "x" }).ResponseAsync,
        () => client.GetStudentAsync(new W.GetStudentRequest { LocalId = "x" }).ResponseAsync,
        () => client.ListStudentsAsync(new W.ListStudentsRequest()).ResponseAsync,
        () => client.ImportStudentsAsync(new W.ImportStudentsRequest()).ResponseAsync,
        () => client.GetSyncStatusAsync(new W.GetSyncStatusRequest()).ResponseAsync,
        () => client.ListPushRejectionsAsync(new W.ListPushRejectionsRequest()).ResponseAsync,
    ];

    [Fact]
    public void The_matrix_below_covers_every_rpc_of_the_service()
    {
        var rpcs = W.SchoolRegisterService.Descriptor.Methods.Count;
        Assert.Equal(rpcs, EveryRpc(_agent.Client()).Count());
    }

    [Fact]
    public async Task Without_a_token_every_rpc_is_unauthenticated()
    {
        foreach (var rpc in EveryRpc(WithToken(null)))
        {
            Assert.Equal(StatusCode.Unauthenticated, await StatusOf(rpc));
        }
    }

    [Fact]
    public async Task A_token_of_another_school_is_permission_denied_on_every_rpc()
    {
        var other = WithToken(await _agent.TokenServer.TokenAsync(AuthorityHost.ClientB));
        foreach (var rpc in EveryRpc(other))
        {
            Assert.Equal(StatusCode.PermissionDenied, await StatusOf(rpc));
        }
    }

    [Theory]
    [InlineData("staff")]
    [InlineData("feed")]
    public async Task Staff_and_feed_consumer_tokens_are_permission_denied(string who)
    {
        var client = who == "staff" ? AuthorityHost.Staff : AuthorityHost.FeedConsumer;
        var caller = WithToken(await _agent.TokenServer.TokenAsync(client));
        Assert.Equal(StatusCode.PermissionDenied, await StatusOf(() => caller.ListStudentsAsync(new W.ListStudentsRequest()).ResponseAsync));
        Assert.Equal(StatusCode.PermissionDenied, await StatusOf(() => caller.GetSyncStatusAsync(new W.GetSyncStatusRequest()).ResponseAsync));
    }

    [Fact]
    public async Task The_schools_own_token_without_scope_sync_is_permission_denied()
    {
        var caller = WithToken(await _agent.TokenServer.TokenAsync(AuthorityHost.ClientA, scopes: ExchangeScopes.Transfers));
        Assert.Equal(StatusCode.PermissionDenied, await StatusOf(() => caller.ListStudentsAsync(new W.ListStudentsRequest()).ResponseAsync));
    }

    [Fact]
    public async Task The_schools_own_token_is_let_in()
    {
        var caller = WithToken(await _agent.TokenServer.TokenAsync(AuthorityHost.ClientA));
        var s = Students.Sample(1)[0];
        await caller.CreateStudentAsync(new W.CreateStudentRequest { LocalId = s.LocalId, Details = s.Details });
        Assert.Equal(s.LocalId, Assert.Single((await caller.ListStudentsAsync(new W.ListStudentsRequest())).Students).LocalId);
        Assert.Equal(AuthorityHost.SchoolA, (await caller.GetSyncStatusAsync(new W.GetSyncStatusRequest())).SchoolCode);
    }

    [Fact]
    public async Task An_expired_token_is_unauthenticated_after_the_30_second_clock_skew()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        using var dir = new TempDirectory();
        using var agent = new AgentHost(dir.File("school.db"), AuthorityHost.SchoolA, time: clock);
        var token = new JsonWebToken(await agent.TokenServer.TokenAsync(AuthorityHost.ClientA));
        var expires = new DateTimeOffset(token.ValidTo, TimeSpan.Zero);
        Assert.Equal(StatusCode.OK, await StatusOf(() => Bearer(agent, token.EncodedToken).ListStudentsAsync(new W.ListStudentsRequest()).ResponseAsync));

        clock.SetUtcNow(expires + TimeSpan.FromSeconds(29));
        Assert.Equal(StatusCode.OK, await StatusOf(() => Bearer(agent, token.EncodedToken).ListStudentsAsync(new W.ListStudentsRequest()).ResponseAsync));
        clock.SetUtcNow(expires + TimeSpan.FromSeconds(31));
        Assert.Equal(StatusCode.Unauthenticated, await StatusOf(() => Bearer(agent, token.EncodedToken).ListStudentsAsync(new W.ListStudentsRequest()).ResponseAsync));
    }

    [Fact]
    public async Task A_token_signed_by_a_key_the_authority_never_published_is_unauthenticated()
    {
        // Everything as the real token says (issuer, audience, type, claims, even its key id), but another key signed it.
        var real = new JsonWebToken(await _agent.TokenServer.TokenAsync(AuthorityHost.ClientA));
        using var stranger = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var forged = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = real.Issuer,
            Audience = ExchangeAudiences.Authority,
            TokenType = "at+jwt",
            Expires = real.ValidTo,
            IssuedAt = real.IssuedAt,
            NotBefore = real.ValidFrom,
            Subject = new ClaimsIdentity(real.Claims.Where(c => c.Type is ExchangeClaims.ClientId or ExchangeClaims.Kind or ExchangeClaims.SchoolCode or "scope" or "sub")),
            SigningCredentials = new SigningCredentials(new ECDsaSecurityKey(stranger) { KeyId = real.Kid }, SecurityAlgorithms.EcdsaSha256),
        });
        var caller = WithToken(forged);
        Assert.Equal(StatusCode.Unauthenticated, await StatusOf(() => caller.ListStudentsAsync(new W.ListStudentsRequest()).ResponseAsync));
        Assert.Equal(StatusCode.Unauthenticated, await StatusOf(() => WithToken("not-a-jwt").ListStudentsAsync(new W.ListStudentsRequest()).ResponseAsync));
        // The real one, for contrast: the refusal is the key's doing.
        Assert.Equal(StatusCode.OK, await StatusOf(() => WithToken(real.EncodedToken).ListStudentsAsync(new W.ListStudentsRequest()).ResponseAsync));
    }

    [Fact]
    public async Task A_token_from_another_authority_with_the_same_issuer_name_is_unauthenticated()
    {
        // Another real token server (its own keys) at the same in-memory address: only the trusted one's keys count.
        using var otherDir = new TempDirectory();
        await using var other = new AuthorityHost(otherDir.File("other.db"));
        var caller = WithToken(await other.TokenAsync(AuthorityHost.ClientA));
        Assert.Equal(StatusCode.Unauthenticated, await StatusOf(() => caller.ListStudentsAsync(new W.ListStudentsRequest()).ResponseAsync));
    }

    [Fact]
    public async Task A_token_signed_by_a_key_the_authority_rotated_to_after_the_agent_read_its_keys_is_let_in_at_once()
    {
        // Rotation on every ring refresh (no publish lead): the worst case for a validator's cached JWKS.
        using var dir = new TempDirectory();
        await using var authority = new AuthorityHost(dir.File("authority.db"), settings: new Dictionary<string, string>
        {
            ["Identity:KeyRotationInterval"] = "00:00:00.001",
            ["Identity:KeyPublishLead"] = "00:00:00",
        });
        using var agent = new AgentHost(dir.File("school.db"), AuthorityHost.SchoolA, tokenServer: authority);
        var first = new JsonWebToken(await authority.TokenAsync(AuthorityHost.ClientA));
        Assert.Equal(StatusCode.OK, await StatusOf(() => Bearer(agent, first.EncodedToken).ListStudentsAsync(new W.ListStudentsRequest()).ResponseAsync));
        var keysRead = DateTimeOffset.UtcNow;

        var ring = authority.Services.GetRequiredService<authority::RegistryExchange.Authority.Identity.SigningKeyRing>();
        for (var i = 0; i < 10 && ring.State.Signing.CreatedAt <= keysRead; i++)
        {
            ring.Refresh();
        }
        Assert.True(ring.State.Signing.CreatedAt > keysRead, "the ring did not rotate");

        var second = new JsonWebToken(await authority.TokenAsync(AuthorityHost.ClientA));
        Assert.Equal(ring.State.Signing.KeyId, second.Kid);
        Assert.NotEqual(first.Kid, second.Kid);
        // The first call with the new key already succeeds: the agent re-reads the JWKS for a key id it has not seen.
        Assert.Equal(StatusCode.OK, await StatusOf(() => Bearer(agent, second.EncodedToken).ListStudentsAsync(new W.ListStudentsRequest()).ResponseAsync));
        // Tokens of the retired key stay valid while it is published.
        Assert.Equal(StatusCode.OK, await StatusOf(() => Bearer(agent, first.EncodedToken).ListStudentsAsync(new W.ListStudentsRequest()).ResponseAsync));
    }

    private static W.SchoolRegisterService.SchoolRegisterServiceClient Bearer(AgentHost agent, string token) =>
        new(agent.AnonymousChannel().CreateCallInvoker().Intercept(token));

    [Fact]
    public async Task Health_is_open_without_a_token()
    {
        var health = new Health.HealthClient(_agent.AnonymousChannel());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest())).Status);
    }

    [Fact]
    public async Task Rx_agent_commands_use_client_credentials_and_say_why_they_are_refused()
    {
        var (ownExit, own) = await new CliRunner(_agent).RunAsync("students", "list");
        Assert.True(ownExit == 0, own);

        var (noneExit, none) = await CliRunner.Anonymous(_agent).RunAsync("sync", "status");
        Assert.Equal(2, noneExit);
        Assert.Contains("RX_CLIENT_ID", none, StringComparison.Ordinal);

        var (otherExit, other) = await new CliRunner(_agent, AuthorityHost.ClientB).RunAsync("students", "list");
        Assert.Equal(1, otherExit);
        Assert.Contains("PermissionDenied", other, StringComparison.Ordinal);
        Assert.Contains("clients of its own school", other, StringComparison.Ordinal);
        Assert.DoesNotContain(AuthorityHost.ClientB.ClientSecret, other, StringComparison.Ordinal);
    }

    [Fact]
    public void Outside_development_a_plain_http_issuer_stops_the_agent_at_start_up()
    {
        using var dir = new TempDirectory();
        using var production = new AgentHost(dir.File("school.db"), AuthorityHost.SchoolA, environment: "Production");
        var e = Assert.ThrowsAny<Exception>(() => production.Server);
        Assert.Contains("https://", e.ToString(), StringComparison.Ordinal);
        Assert.Contains("Authority:Issuer", e.ToString(), StringComparison.Ordinal);
    }
}

internal static class BearerInvoker
{
    /// <summary>Every call carries <paramref name="token"/> as a bearer token (none when null).</summary>
    public static CallInvoker Intercept(this CallInvoker invoker, string? token) =>
        Grpc.Core.Interceptors.CallInvokerExtensions.Intercept(invoker, headers =>
        {
            if (token is not null)
            {
                headers.Add("Authorization", "Bearer " + token);
            }
            return headers;
        });
}
