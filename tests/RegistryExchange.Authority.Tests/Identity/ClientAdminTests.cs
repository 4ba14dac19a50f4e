using System.Net;
using Grpc.Core;
using RegistryExchange.Authority.Tests.Infrastructure;
using RegistryExchange.Protocol.Identity;
using W = RegistryExchange.Contracts.V1;

namespace RegistryExchange.Authority.Tests.Identity;

public abstract class ClientAdminTests(AuthorityFixture fixture) : AuthorityTestBase(fixture)
{
    private W.ClientAdminService.ClientAdminServiceClient Admin(string clientId = AuthorityFixture.StaffKey) => new(Fixture.Channel(clientId));

    private Task<string> TokenAsync(W.ClientCredentials credentials, string? scope = null) =>
        Fixture.RequestTokenAsync(credentials.ClientId, credentials.ClientSecret, scope);

    [Fact]
    public async Task Registering_a_new_school_creates_it_and_its_agent_can_sync_at_once()
    {
        var response = await Admin().RegisterSchoolAsync(new W.RegisterSchoolRequest { SchoolCode = "N" + Guid.NewGuid().ToString("N")[..8], Name = "新学校", RegionCode = "110105" });

        Assert.True(response.SchoolCreated);
        Assert.Equal(W.ClientKind.SchoolAgent, response.Client.Kind);
        Assert.Equal(AuthorityFixture.Issuer + "connect/token", response.Credentials.TokenEndpoint);
        Assert.Equal(43, response.Credentials.ClientSecret.Length); // 32 random bytes, base64url
        var sync = new W.SyncService.SyncServiceClient(Fixture.ChannelWithToken(await TokenAsync(response.Credentials)));
        var hwm = await sync.GetHighWaterMarkAsync(new W.GetHighWaterMarkRequest());
        Assert.Equal(0UL, hwm.HighWaterMark);
    }

    [Fact]
    public async Task Registering_a_known_school_adds_a_client_without_creating_the_school()
    {
        var school = Fixture.NewSchool();

        var response = await Admin().RegisterSchoolAsync(new W.RegisterSchoolRequest { SchoolCode = school.Code });

        Assert.False(response.SchoolCreated);
        Assert.Equal(school.Code, response.Client.SchoolCode);
        Assert.Equal(school.Code, (string?)Jws.Payload(await TokenAsync(response.Credentials))[ExchangeClaims.SchoolCode]);
    }

    [Fact]
    public async Task An_employer_can_only_verify()
    {
        var response = await Admin().RegisterEmployerAsync(new W.RegisterEmployerRequest { DisplayName = "某科技有限公司", OrganisationCode = "91110105MA01ABCD2X" });

        Assert.Equal(["verify"], response.Credentials.Scopes);
        var token = await TokenAsync(response.Credentials);
        var sync = new W.SyncService.SyncServiceClient(Fixture.ChannelWithToken(token));
        await Rpc.FailsAsync(StatusCode.PermissionDenied, async () => await sync.GetHighWaterMarkAsync(new W.GetHighWaterMarkRequest()));
        using var refused = await Fixture.PostTokenRequestAsync(response.Credentials.ClientId, response.Credentials.ClientSecret, "sync");
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
    }

    [Fact]
    public async Task Rotating_a_secret_stops_the_old_one_at_once()
    {
        var registered = await Admin().RegisterClientAsync(new W.RegisterClientRequest { Kind = W.ClientKind.FeedConsumer, DisplayName = "统计分析" });

        var rotated = await Admin().RotateClientSecretAsync(new W.RotateClientSecretRequest { ClientId = registered.Client.ClientId });

        using var old = await Fixture.PostTokenRequestAsync(registered.Credentials.ClientId, registered.Credentials.ClientSecret);
        Assert.Equal(HttpStatusCode.Unauthorized, old.StatusCode);
        Assert.NotEqual(registered.Credentials.ClientSecret, rotated.Credentials.ClientSecret);
        Assert.NotNull(rotated.Client.SecretRotatedAt);
        Assert.NotEmpty(await TokenAsync(rotated.Credentials));
    }

    [Fact]
    public async Task Disabling_a_client_stops_new_tokens_and_its_outstanding_tokens()
    {
        var registered = await Admin().RegisterClientAsync(new W.RegisterClientRequest { Kind = W.ClientKind.FeedConsumer, DisplayName = "将被停用" });
        var token = await TokenAsync(registered.Credentials);
        var feed = new W.ChangeFeedService.ChangeFeedServiceClient(Fixture.ChannelWithToken(token));
        using (var call = feed.SubscribeChanges(new W.SubscribeChangesRequest { Follow = false }))
        {
            while (await call.ResponseStream.MoveNext())
            {
            }
        }

        var disabled = await Admin().DisableClientAsync(new W.DisableClientRequest { ClientId = registered.Client.ClientId, Reason = "合同终止" });

        Assert.True(disabled.Client.Disabled);
        await Rpc.FailsAsync(StatusCode.Unauthenticated, async () =>
        {
            using var call = feed.SubscribeChanges(new W.SubscribeChangesRequest { Follow = false });
            await call.ResponseStream.MoveNext();
        });
        using var refused = await Fixture.PostTokenRequestAsync(registered.Credentials.ClientId, registered.Credentials.ClientSecret);
        Assert.False(refused.IsSuccessStatusCode);
        var listed = await Admin().ListClientsAsync(new W.ListClientsRequest { Kind = W.ClientKind.FeedConsumer });
        Assert.DoesNotContain(listed.Clients, c => c.ClientId == registered.Client.ClientId);
        var all = await Admin().ListClientsAsync(new W.ListClientsRequest { Kind = W.ClientKind.FeedConsumer, IncludeDisabled = true });
        Assert.Contains(all.Clients, c => c.ClientId == registered.Client.ClientId && c.Disabled);
    }

    [Fact]
    public async Task Listing_shows_seeded_clients_with_kinds_and_scopes_and_never_a_secret()
    {
        var school = Fixture.NewSchool();

        var listed = await Admin().ListClientsAsync(new W.ListClientsRequest());

        var agent = Assert.Single(listed.Clients, c => c.ClientId == school.Key);
        Assert.Equal(W.ClientKind.SchoolAgent, agent.Kind);
        Assert.Equal(school.Code, agent.SchoolCode);
        Assert.Contains("sync", agent.Scopes);
        Assert.Contains(listed.Clients, c => c.ClientId == AuthorityFixture.StaffKey && c.Kind == W.ClientKind.Staff);
        Assert.DoesNotContain(AuthorityFixture.SecretOf(school.Key), listed.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_requests_name_each_broken_field()
    {
        var e = await Rpc.FailsAsync(StatusCode.InvalidArgument, async () =>
            await Admin().RegisterSchoolAsync(new W.RegisterSchoolRequest { SchoolCode = "bad code!", Name = "", RegionCode = "12" }));
        Assert.Contains(e.FieldViolations(), v => v.Field == "school_code");

        e = await Rpc.FailsAsync(StatusCode.InvalidArgument, async () =>
            await Admin().RegisterSchoolAsync(new W.RegisterSchoolRequest { SchoolCode = "NEW" + Guid.NewGuid().ToString("N")[..6], Name = "", RegionCode = "12" }));
        Assert.Equal(["name", "region_code"], e.FieldViolations().Select(v => v.Field).Order(StringComparer.Ordinal));

        e = await Rpc.FailsAsync(StatusCode.InvalidArgument, async () =>
            await Admin().RegisterClientAsync(new W.RegisterClientRequest { Kind = W.ClientKind.SchoolAgent, DisplayName = "x" }));
        Assert.Contains(e.FieldViolations(), v => v.Field == "kind");

        e = await Rpc.FailsAsync(StatusCode.InvalidArgument, async () =>
            await Admin().RegisterEmployerAsync(new W.RegisterEmployerRequest { DisplayName = "x", OrganisationCode = "123" }));
        Assert.Contains(e.FieldViolations(), v => v.Field == "organisation_code");

        e = await Rpc.FailsAsync(StatusCode.InvalidArgument, async () =>
            await Admin().RegisterClientAsync(new W.RegisterClientRequest { Kind = W.ClientKind.Staff, DisplayName = "x", JsonWebKeySet = "{not json" }));
        Assert.Contains(e.FieldViolations(), v => v.Field == "json_web_key_set");

        e = await Rpc.FailsAsync(StatusCode.InvalidArgument, async () =>
            await Admin().DisableClientAsync(new W.DisableClientRequest { ClientId = AuthorityFixture.FeedKey, Reason = " " }));
        Assert.Contains(e.FieldViolations(), v => v.Field == "reason");
    }

    [Fact]
    public async Task An_unknown_client_is_not_found()
    {
        await Rpc.FailsAsync(StatusCode.NotFound, async () => await Admin().RotateClientSecretAsync(new W.RotateClientSecretRequest { ClientId = "no-such-client" }));
        await Rpc.FailsAsync(StatusCode.NotFound, async () => await Admin().DisableClientAsync(new W.DisableClientRequest { ClientId = "no-such-client", Reason = "x" }));
    }

    [Fact]
    public async Task Schools_and_feed_readers_cannot_administer_clients()
    {
        var school = Fixture.NewSchool();

        await Rpc.FailsAsync(StatusCode.PermissionDenied, async () => await Admin(school.Key).ListClientsAsync(new W.ListClientsRequest()));
        await Rpc.FailsAsync(StatusCode.PermissionDenied, async () => await Admin(AuthorityFixture.FeedKey).RotateClientSecretAsync(new W.RotateClientSecretRequest { ClientId = school.Key }));
        await Rpc.FailsAsync(StatusCode.Unauthenticated, async () => await new W.ClientAdminService.ClientAdminServiceClient(Fixture.Channel(null)).ListClientsAsync(new W.ListClientsRequest()));
    }

    [Fact]
    public async Task Generated_and_seeded_secrets_never_reach_a_log_line()
    {
        var registered = await Admin().RegisterClientAsync(new W.RegisterClientRequest { Kind = W.ClientKind.Staff, DisplayName = "审计员" });
        var rotated = await Admin().RotateClientSecretAsync(new W.RotateClientSecretRequest { ClientId = registered.Client.ClientId });
        await TokenAsync(rotated.Credentials);
        using (await Fixture.PostTokenRequestAsync(registered.Client.ClientId, registered.Credentials.ClientSecret))
        {
        }

        var secrets = new[] { registered.Credentials.ClientSecret, rotated.Credentials.ClientSecret, AuthorityFixture.SecretOf(AuthorityFixture.StaffKey) };
        Assert.NotEmpty(Fixture.Logs.Lines);
        Assert.DoesNotContain(Fixture.Logs.Lines, line => secrets.Any(s => line.Contains(s, StringComparison.Ordinal)));
    }
}

[Trait("Database", "SQLite")]
public sealed class SqliteClientAdminTests(SqliteFixture fixture) : ClientAdminTests(fixture), IClassFixture<SqliteFixture>;

[Trait("Database", "PostgreSQL")]
public sealed class PostgresClientAdminTests(PostgresFixture fixture) : ClientAdminTests(fixture), IClassFixture<PostgresFixture>;
