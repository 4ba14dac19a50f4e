using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using RegistryExchange.Authority.Audit;
using RegistryExchange.Authority.Feed;
using RegistryExchange.Protocol;
using RegistryExchange.Storage;
using RegistryExchange.Storage.Ingest;
using RegistryExchange.Storage.Model;
using W = RegistryExchange.Contracts.V1;

namespace RegistryExchange.Authority.Ingest;

public sealed record BatchResult(IReadOnlyList<W.ChangeResult> Results, ulong HighWaterMark);

/// <summary>
/// Applies one school's batch exactly once (docs/decisions/0001): under the global apply lock and in one
/// transaction, refuse a gap, answer already-applied sequences from change_log, apply the rest, advance the
/// high-water mark, append the batch's audit entry, commit. All or nothing: data never changes without its audit
/// entry, and no entry records a change that did not happen.
/// </summary>
public sealed class BatchIngestor(
    IDbContextFactory<AuthorityDbContext> contexts,
    IngestDialect dialect,
    IIngestWriter writer,
    ApplyLock applyLock,
    FeedSignal feed,
    AuditLog audit,
    TimeProvider time,
    ILogger<BatchIngestor> logger)
{
    /// <param name="changes">Validated by ChangeValidation: non-empty, consecutive sequences.</param>
    /// <param name="access">Who pushes and why; the ingest adds the students and the detail.</param>
    public async Task<BatchResult> ApplyAsync(string schoolCode, IReadOnlyList<W.RecordChange> changes, AuditEvent access, CancellationToken ct)
    {
        if (await TryReplayAsync(schoolCode, changes, ct) is { } replay)
        {
            return replay;
        }
        var started = Stopwatch.GetTimestamp();
        using var _ = await applyLock.EnterAsync(ct);
        var locked = Stopwatch.GetTimestamp();
        await using var db = await contexts.CreateDbContextAsync(ct);
        await using var transaction = await dialect.BeginTransactionAsync(db, ct);
        await dialect.AcquireApplyLockAsync(db, ct);

        var school = await LoadSchoolAsync(db, schoolCode, ct);
        var first = (long)changes[0].Sequence;
        if (first > school.HighWaterMark + 1)
        {
            throw SequenceGap(first, school.HighWaterMark + 1);
        }
        var replayed = (int)Math.Clamp(school.HighWaterMark - first + 1, 0, changes.Count);
        var results = new List<W.ChangeResult>(changes.Count);
        if (replayed > 0)
        {
            results.AddRange(await LoadResultsAsync(db, schoolCode, first, replayed, ct));
        }
        var highWaterMark = school.HighWaterMark;
        var planned = locked;
        if (replayed < changes.Count)
        {
            var write = await PlanAsync(db, school, changes, replayed, ct);
            planned = Stopwatch.GetTimestamp();
            await writer.WriteAsync(db, write, ct);
            await dialect.AfterWriteAsync(db, write.Changes[^1].Log.Version, ct);
            // Last before the commit: the audit lock is held only from here to the commit.
            await audit.AppendAsync(db, AccessOf(access, schoolCode, write), ct);
            results.AddRange(write.Changes.Select(c => ChangeResults.ToWire(c.Log)));
            highWaterMark = write.School.HighWaterMark;
        }
        await transaction.CommitAsync(ct);

        if (replayed < changes.Count)
        {
            feed.Notify();
        }
        if (logger.IsEnabled(LogLevel.Debug))
        {
            logger.LogDebug("School {School}: {Applied} changes applied, {Replayed} replayed, high-water mark {HighWaterMark}; " +
                "waited {Waited:F1} ms, planned {Planned:F1} ms, wrote and committed {Written:F1} ms",
                schoolCode, changes.Count - replayed, replayed, highWaterMark, Stopwatch.GetElapsedTime(started, locked).TotalMilliseconds,
                Stopwatch.GetElapsedTime(locked, planned).TotalMilliseconds, Stopwatch.GetElapsedTime(planned).TotalMilliseconds);
        }
        return new BatchResult(results, (ulong)highWaterMark);
    }

    /// <summary>One entry per applied batch: every student a change of it named, and counts (never personal data) as detail.</summary>
    private static AuditEvent AccessOf(AuditEvent access, string schoolCode, IngestWrite write)
    {
        var accepted = write.Changes.Count(c => c.Log.Outcome == ChangeOutcome.Accepted);
        var detail = string.Create(CultureInfo.InvariantCulture,
            $"school {schoolCode} sequences {write.Changes[0].Log.Sequence}..{write.Changes[^1].Log.Sequence}: {accepted} accepted, {write.Changes.Count - accepted} rejected");
        return access with
        {
            Subjects = write.Changes.Select(c => AuditActions.SubjectKey(c.Log.NationalStudentNumber, schoolCode, c.Log.StudentLocalId)),
            Detail = detail,
        };
    }

    /// <summary>
    /// A batch that is wholly applied already needs no lock: the high-water mark only grows and stored results never
    /// change, so retries do not queue behind other schools' work.
    /// </summary>
    private async Task<BatchResult?> TryReplayAsync(string schoolCode, IReadOnlyList<W.RecordChange> changes, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var school = await LoadSchoolAsync(db, schoolCode, ct);
        var first = (long)changes[0].Sequence;
        if ((long)changes[^1].Sequence > school.HighWaterMark)
        {
            return null;
        }
        var results = await LoadResultsAsync(db, schoolCode, first, changes.Count, ct);
        return new BatchResult([.. results], (ulong)school.HighWaterMark);
    }

    private async Task<IngestWrite> PlanAsync(AuthorityDbContext db, SchoolRow school, IReadOnlyList<W.RecordChange> changes, int replayed, CancellationToken ct)
    {
        var fresh = changes.Skip(replayed).ToList();
        var students = await StudentSnapshot.LoadAsync(db, school.Code, fresh, ct);
        var firstVersion = (await db.ChangeLog.MaxAsync(c => (long?)c.Version, ct) ?? 0) + 1;
        var regionFloor = fresh.Any(NeedsAssignedNumber)
            ? await db.Schools.Where(s => s.RegionCode == school.RegionCode).MaxAsync(s => s.NextAssignedSerial, ct)
            : 0;
        var applier = new BatchApplier(school, students, RegistryClock.Today(time), RegistryClock.Now(time), firstVersion, regionFloor);
        return applier.Apply(fresh, replayed);
    }

    private static bool NeedsAssignedNumber(W.RecordChange change) =>
        change.ChangeCase == W.RecordChange.ChangeOneofCase.Created && string.IsNullOrEmpty(change.Created.Details?.Basic?.IdNumber);

    private static async Task<SchoolRow> LoadSchoolAsync(AuthorityDbContext db, string schoolCode, CancellationToken ct) =>
        await db.Schools.AsNoTracking().SingleOrDefaultAsync(s => s.Code == schoolCode, ct)
        ?? throw SchoolNotRegistered(schoolCode);

    private static async Task<IEnumerable<W.ChangeResult>> LoadResultsAsync(AuthorityDbContext db, string schoolCode, long first, int count, CancellationToken ct)
    {
        var last = first + count - 1;
        var rows = await db.ChangeLog.AsNoTracking()
            .Where(c => c.SchoolCode == schoolCode && c.Sequence >= first && c.Sequence <= last)
            .OrderBy(c => c.Sequence)
            .Select(ResultColumns)
            .ToListAsync(ct);
        if (rows.Count != count)
        {
            throw new InvalidOperationException($"change_log holds {rows.Count} of sequences {first}..{last} of school {schoolCode}, below its high-water mark.");
        }
        return rows.Select(ChangeResults.ToWire);
    }

    /// <summary>A result needs no payload.</summary>
    private static readonly System.Linq.Expressions.Expression<Func<ChangeLogRow, ChangeLogRow>> ResultColumns = c => new ChangeLogRow
    {
        Version = c.Version,
        SchoolCode = c.SchoolCode,
        Sequence = c.Sequence,
        StudentLocalId = c.StudentLocalId,
        NationalStudentNumber = c.NationalStudentNumber,
        Outcome = c.Outcome,
        RejectionReason = c.RejectionReason,
        Message = c.Message,
        Kind = c.Kind,
        AppliedAt = c.AppliedAt,
        Payload = Array.Empty<byte>(),
    };

    internal static Grpc.Core.RpcException SequenceGap(long first, long expected) =>
        RichErrors.FailedPrecondition("SEQUENCE_GAP",
            $"The batch starts at sequence {first} but the authority has applied up to {expected - 1}; send from {expected}.",
            new Dictionary<string, string> { ["expected_sequence"] = expected.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            "changes[0].sequence");

    internal static Grpc.Core.RpcException SchoolNotRegistered(string schoolCode) =>
        RichErrors.WithReason(Grpc.Core.StatusCode.PermissionDenied, "SCHOOL_NOT_REGISTERED",
            $"School {schoolCode} is not registered at the authority.");
}
