using Microsoft.EntityFrameworkCore;
using Quartz;
using RegistryExchange.Storage;
using RegistryExchange.Storage.Model;

namespace RegistryExchange.Authority.Audit;

/// <summary>Signs the chain's head: "entry N has hash H", unless nothing was appended since the last checkpoint.</summary>
public sealed class AuditCheckpointWriter(
    IDbContextFactory<AuthorityDbContext> contexts,
    AuditLog log,
    AuditKeyRing keys,
    TimeProvider time)
{
    /// <returns>The new checkpoint, or null when the log has nothing new to sign.</returns>
    public async Task<AuditCheckpointRow?> WriteAsync(CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        await using var transaction = await log.BeginAsync(db, ct);
        // Under the audit lock: the head cannot move, and two instances cannot sign the same entry twice.
        await log.LockAsync(db, ct);
        var head = await db.AuditEntries.AsNoTracking()
            .OrderByDescending(a => a.Sequence)
            .Select(a => new { a.Sequence, a.Hash })
            .FirstOrDefaultAsync(ct);
        var lastSigned = await db.AuditCheckpoints.MaxAsync(c => (long?)c.Sequence, ct) ?? 0;
        if (head is null || head.Sequence <= lastSigned)
        {
            return null;
        }
        var signedAt = DateTimeOffset.FromUnixTimeSeconds(time.GetUtcNow().ToUnixTimeSeconds());
        var row = new AuditCheckpointRow
        {
            Sequence = head.Sequence,
            Hash = head.Hash,
            SignedAt = signedAt.UtcDateTime,
            KeyId = keys.ActiveKeyId,
            Signature = keys.Sign(new AuditCheckpointClaims(head.Sequence, AuditChain.Hex(head.Hash), signedAt.ToUnixTimeSeconds())),
        };
        db.AuditCheckpoints.Add(row);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return row;
    }
}

/// <summary>Runs <see cref="AuditCheckpointWriter"/> every <c>Audit:CheckpointInterval</c> (30 s by default).</summary>
[DisallowConcurrentExecution]
public sealed class AuditCheckpointJob(AuditCheckpointWriter writer, ILogger<AuditCheckpointJob> logger) : IJob
{
    public static readonly JobKey Key = new("audit-checkpoint", "audit");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var checkpoint = await writer.WriteAsync(cancellationToken);
        if (checkpoint is not null)
        {
            logger.LogDebug("Audit checkpoint signed at entry {Sequence} with key {KeyId}", checkpoint.Sequence, checkpoint.KeyId);
        }
    }
}
