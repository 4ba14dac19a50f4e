using Microsoft.EntityFrameworkCore;
using RegistryExchange.Agent.Storage;
using W = RegistryExchange.Contracts.V1;

namespace RegistryExchange.Agent.Sync;

/// <summary>A batch on its way to the authority.</summary>
public sealed class PendingBatch(W.StreamChangesRequest request, Dictionary<long, string> localIds)
{
    public W.StreamChangesRequest Request { get; } = request;
    public IReadOnlyDictionary<long, string> LocalIds { get; } = localIds;
    public long First => (long)Request.Changes[0].Sequence;
    public long Last => (long)Request.Changes[^1].Sequence;
    public int Count => Request.Changes.Count;
}

/// <summary>Reads consecutive outbox entries. Reads never wait for the writer (WAL).</summary>
public sealed class OutboxReader(IServiceScopeFactory scopes)
{
    public async Task<long> LastSequenceAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AgentDbContext>();
        return await db.Outbox.MaxAsync(o => (long?)o.Sequence, ct) ?? 0;
    }

    /// <summary>Whether the outbox holds entries past the authority's last known high-water mark.</summary>
    public async Task<bool> HasUnsentAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AgentDbContext>();
        var mark = await db.SyncState.Select(s => s.AuthorityHighWaterMark).SingleAsync(ct);
        return await db.Outbox.AnyAsync(o => o.Sequence > mark, ct);
    }

    /// <summary>Entries from <paramref name="from"/> on, at most <paramref name="maxCount"/> and about
    /// <paramref name="maxBytes"/>; null when there are none.</summary>
    public async Task<PendingBatch?> ReadBatchAsync(long from, int maxCount, int maxBytes, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AgentDbContext>();
        var entries = await db.Outbox.AsNoTracking()
            .Where(o => o.Sequence >= from)
            .OrderBy(o => o.Sequence)
            .Take(maxCount)
            .ToListAsync(ct);
        if (entries.Count == 0)
        {
            return null;
        }
        var request = new W.StreamChangesRequest();
        var localIds = new Dictionary<long, string>(entries.Count);
        var bytes = 0;
        foreach (var entry in entries)
        {
            if (entry.Sequence != from + request.Changes.Count)
            {
                throw new InvalidDataException($"The outbox has no entry {from + request.Changes.Count}; found {entry.Sequence}.");
            }
            if (request.Changes.Count > 0 && bytes + entry.Payload.Length > maxBytes)
            {
                break;
            }
            request.Changes.Add(W.RecordChange.Parser.ParseFrom(entry.Payload));
            localIds[entry.Sequence] = entry.LocalId;
            bytes += entry.Payload.Length;
        }
        return new PendingBatch(request, localIds);
    }
}
