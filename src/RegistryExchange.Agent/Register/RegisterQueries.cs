using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using RegistryExchange.Agent.Hosting;
using RegistryExchange.Agent.Storage;
using RegistryExchange.Domain.Students;

namespace RegistryExchange.Agent.Register;

/// <summary>Reads of the register; never blocked by the writer (WAL).</summary>
public sealed class RegisterQueries(AgentDbContext db, IOptions<SchoolOptions> school)
{
    public const int DefaultPageSize = 100;
    public const int MaxPageSize = 1000;

    public async Task<Student> GetAsync(string localId, CancellationToken ct)
    {
        var row = await db.Students.AsNoTracking().SingleOrDefaultAsync(s => s.LocalId == localId, ct)
            ?? throw new StudentNotFoundException(localId);
        return StoredRecord.ToStudent(row, school.Value.Code);
    }

    public async Task<IReadOnlyList<Student>> ListAsync(int pageSize, string afterLocalId, StudentStatus status, CancellationToken ct)
    {
        var query = db.Students.AsNoTracking();
        if (afterLocalId.Length > 0)
        {
            query = query.Where(s => s.LocalId.CompareTo(afterLocalId) > 0);
        }
        if (status != StudentStatus.Unspecified)
        {
            query = query.Where(s => s.Status == status);
        }
        var rows = await query.OrderBy(s => s.LocalId).Take(PageSize(pageSize)).ToListAsync(ct);
        return [.. rows.Select(r => StoredRecord.ToStudent(r, school.Value.Code))];
    }

    public async Task<IReadOnlyList<PushRejection>> ListRejectionsAsync(long beforeSequence, int pageSize, CancellationToken ct)
    {
        var query = db.PushRejections.AsNoTracking();
        if (beforeSequence > 0)
        {
            query = query.Where(r => r.Sequence < beforeSequence);
        }
        return await query.OrderByDescending(r => r.Sequence).Take(PageSize(pageSize)).ToListAsync(ct);
    }

    public async Task<SyncStatus> GetSyncStatusAsync(CancellationToken ct)
    {
        var state = await db.SyncState.AsNoTracking().SingleAsync(ct);
        var last = await db.Outbox.MaxAsync(o => (long?)o.Sequence, ct) ?? 0;
        var rejected = await db.PushRejections.LongCountAsync(ct);
        return new SyncStatus(school.Value.Code, last, state.AuthorityHighWaterMark, Math.Max(0, last - state.AuthorityHighWaterMark),
            rejected, state.LastPushAt, state.LastError);
    }

    private static int PageSize(int requested) => requested <= 0 ? DefaultPageSize : Math.Min(requested, MaxPageSize);
}

public sealed record SyncStatus(string SchoolCode, long LastLocalSequence, long AuthorityHighWaterMark, long PendingChanges,
    long RejectedChanges, DateTimeOffset? LastPushAt, string? LastError);
