using Microsoft.EntityFrameworkCore;
using W = RegistryExchange.Contracts.V1;

namespace RegistryExchange.Authority.Tests.Infrastructure;

/// <summary>Counts of everything the ingest writes, to prove a refused batch wrote nothing.</summary>
public sealed record StoreCounts(int Students, int ChangeLog, int DuplicateCases, long HighWaterMark);

public abstract class AuthorityTestBase(AuthorityFixture fixture)
{
    protected AuthorityFixture Fixture { get; } = fixture;

    protected W.SyncService.SyncServiceClient Sync(TestSchool school) => new(Fixture.Channel(school.Key));

    protected async Task<StoreCounts> CountsAsync(TestSchool school)
    {
        await using var db = Fixture.OpenDb();
        return new StoreCounts(
            await db.Students.CountAsync(),
            await db.ChangeLog.CountAsync(),
            await db.DuplicateCases.CountAsync(),
            await db.Schools.Where(s => s.Code == school.Code).Select(s => s.HighWaterMark).SingleAsync());
    }

    protected async Task<W.PushChangesResponse> PushAsync(TestSchool school, params W.RecordChange[] changes) =>
        await Sync(school).PushChangesAsync(new W.PushChangesRequest { Changes = { changes } });

    protected async Task<W.PushChangesResponse> PushAsync(TestSchool school, IEnumerable<W.RecordChange> changes) =>
        await Sync(school).PushChangesAsync(new W.PushChangesRequest { Changes = { changes } });
}
