using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Reflection.V1Alpha;
using RegistryExchange.Authority.Tests.Infrastructure;
using W = RegistryExchange.Contracts.V1;

namespace RegistryExchange.Authority.Tests;

public abstract class HostingTests(AuthorityFixture fixture) : AuthorityTestBase(fixture)
{
    [Fact]
    public async Task The_health_check_reports_serving_without_credentials()
    {
        var health = new Health.HealthClient(Fixture.Channel(null));

        var response = await health.CheckAsync(new HealthCheckRequest());

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, response.Status);
    }

    [Fact]
    public async Task Server_reflection_lists_the_authority_services_when_enabled()
    {
        var reflection = new ServerReflection.ServerReflectionClient(Fixture.Channel(null));
        using var call = reflection.ServerReflectionInfo();

        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext());

        var services = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();
        Assert.Contains("registryexchange.v1.SyncService", services);
        Assert.Contains("registryexchange.v1.ChangeFeedService", services);
        Assert.Contains("grpc.health.v1.Health", services);
    }

    [Fact]
    public async Task A_call_without_a_key_is_unauthenticated()
    {
        var sync = new W.SyncService.SyncServiceClient(Fixture.Channel(null));

        await Rpc.FailsAsync(StatusCode.Unauthenticated, async () => await sync.GetHighWaterMarkAsync(new W.GetHighWaterMarkRequest()));
    }

    [Fact]
    public async Task A_call_with_a_token_that_is_not_a_token_is_unauthenticated()
    {
        var sync = new W.SyncService.SyncServiceClient(Fixture.ChannelWithToken("no-such-key"));

        await Rpc.FailsAsync(StatusCode.Unauthenticated, async () => await sync.PushChangesAsync(new W.PushChangesRequest { Changes = { Samples.Create(1, "x") } }));
    }

    [Fact]
    public async Task No_log_line_carries_a_full_ID_number()
    {
        var first = Fixture.NewSchool();
        var second = Fixture.NewSchool();
        var details = Samples.DetailsWithId();
        var id = details.Basic.IdNumber;
        var broken = Samples.Details().With(d => d.Basic.IdNumber = id[..17] + (id[17] == '0' ? '1' : '0'));

        await PushAsync(first, Samples.Create(1, "a", details), Samples.Create(2, "b", details.Clone()));     // conflict
        await PushAsync(second, Samples.Create(1, "c", details.Clone()));                                   // duplicate case
        await Rpc.FailsAsync(StatusCode.InvalidArgument, () => PushAsync(second, Samples.Create(2, "d", broken)));
        var cases = new W.DuplicateCaseService.DuplicateCaseServiceClient(Fixture.Channel(AuthorityFixture.StaffKey));
        var open = await cases.ListDuplicateCasesAsync(new W.ListDuplicateCasesRequest());
        await cases.ResolveDuplicateCaseAsync(new W.ResolveDuplicateCaseRequest { CaseId = open.Cases[^1].CaseId, Resolution = W.DuplicateResolution.ClaimRejected });

        Assert.NotEmpty(Fixture.Logs.Lines);
        Assert.DoesNotContain(Fixture.Logs.Lines, line => line.Contains(id, StringComparison.Ordinal) || line.Contains(broken.Basic.IdNumber, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Staff_cannot_push_changes_as_a_school()
    {
        var sync = new W.SyncService.SyncServiceClient(Fixture.Channel(AuthorityFixture.StaffKey));

        await Rpc.FailsAsync(StatusCode.PermissionDenied, async () => await sync.GetHighWaterMarkAsync(new W.GetHighWaterMarkRequest()));
    }
}

[Trait("Database", "SQLite")]
public sealed class SqliteHostingTests(SqliteFixture fixture) : HostingTests(fixture), IClassFixture<SqliteFixture>;

[Trait("Database", "PostgreSQL")]
public sealed class PostgresHostingTests(PostgresFixture fixture) : HostingTests(fixture), IClassFixture<PostgresFixture>;
