using System.Runtime.CompilerServices;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using RegistryExchange.Authority.Security;
using RegistryExchange.Protocol;
using RegistryExchange.Protocol.Identity;
using RegistryExchange.Storage;
using RegistryExchange.Storage.Model;
using W = RegistryExchange.Contracts.V1;

namespace RegistryExchange.Authority.Audit;

/// <summary>Verifies the access log and answers "who accessed this record". Audit queries are audited too.</summary>
public sealed class AuditService(
    IDbContextFactory<AuthorityDbContext> contexts,
    AuditLog log,
    AuditKeyRing keys) : W.AuditService.AuditServiceBase
{
    private const int DefaultPageSize = 100;
    private const int MaxPageSize = 1000;

    [Authorize(Policy = AuthorityPolicies.Audit)]
    public override async Task<W.VerifyAuditLogResponse> VerifyAuditLog(W.VerifyAuditLogRequest request, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        await log.AppendAsync(AuditActions.Event(context, AuditActions.AuditVerify, []), ct);
        var result = await VerifyAsync(ct);
        return new W.VerifyAuditLogResponse
        {
            Intact = result.Intact,
            EntriesChecked = (ulong)result.EntriesChecked,
            CheckpointsChecked = (ulong)result.CheckpointsChecked,
            FirstBadSequence = (ulong)result.FirstBadSequence,
            Problem = (W.AuditProblem)(int)result.Problem,
            Message = result.Message,
            LastCheckpointSequence = (ulong)result.LastCheckpointSequence,
        };
    }

    /// <summary>The whole log against its checkpoints, streamed: memory does not grow with the log.</summary>
    public Task<AuditVerification> VerifyAsync(CancellationToken ct) =>
        AuditChainVerifier.VerifyAsync(EntriesAsync(ct), CheckpointsAsync(ct), c => keys.Verify(c.Signature), ct);

    [Authorize(Policy = AuthorityPolicies.AuditStudentAccess)]
    public override async Task<W.ListStudentAccessResponse> ListStudentAccess(W.ListStudentAccessRequest request, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        var key = request.NationalStudentNumber.Trim();
        if (key.Length is 0 or > 100)
        {
            throw RichErrors.InvalidArgument("national_student_number", "must name a student (1 to 100 characters)");
        }
        var pageSize = PageSize(request.PageSize);
        await using var db = await contexts.CreateDbContextAsync(ct);
        await AuthorizeStudentAsync(db, context, key, ct);
        await log.AppendAsync(AuditActions.Event(context, AuditActions.AuditStudentAccess, [key]), ct);
        var before = request.BeforeSequence is 0 or > long.MaxValue ? long.MaxValue : (long)request.BeforeSequence;
        var rows = await (
                from subject in db.AuditSubjects
                where subject.StudentKey == key && subject.EntrySequence < before
                join entry in db.AuditEntries on subject.EntrySequence equals entry.Sequence
                orderby entry.Sequence descending
                select entry)
            .AsNoTracking()
            .Take(pageSize)
            .ToListAsync(ct);
        var response = new W.ListStudentAccessResponse();
        response.Entries.AddRange(rows.Select(ToWire));
        return response;
    }

    [Authorize(Policy = AuthorityPolicies.Audit)]
    public override async Task<W.ListAuditCheckpointsResponse> ListAuditCheckpoints(W.ListAuditCheckpointsRequest request, ServerCallContext context)
    {
        var pageSize = PageSize(request.PageSize);
        await using var db = await contexts.CreateDbContextAsync(context.CancellationToken);
        var rows = await db.AuditCheckpoints.AsNoTracking()
            .OrderByDescending(c => c.Sequence)
            .Take(pageSize)
            .ToListAsync(context.CancellationToken);
        var response = new W.ListAuditCheckpointsResponse();
        response.Checkpoints.AddRange(rows.Select(c => new W.AuditCheckpoint
        {
            Sequence = (ulong)c.Sequence,
            Hash = AuditChain.Hex(c.Hash),
            SignedAt = Timestamp.FromDateTime(c.SignedAt),
            KeyId = c.KeyId,
            Signature = c.Signature,
        }));
        return response;
    }

    /// <summary>Staff see any student; a school only the students it owns now.</summary>
    private static async Task AuthorizeStudentAsync(AuthorityDbContext db, ServerCallContext context, string key, CancellationToken ct)
    {
        var caller = context.Caller();
        if (caller.SchoolCode is { } school)
        {
            var owned = await db.Students.AsNoTracking().AnyAsync(s => s.NationalStudentNumber == key && s.OwnerSchoolCode == school, ct);
            if (!owned)
            {
                // The same answer whether the student exists or not: a school learns nothing about others' students.
                throw RichErrors.WithReason(StatusCode.PermissionDenied, "NOT_OWNER",
                    "A school may list the access to students it owns now; this student is not one of them.");
            }
            return;
        }
        if (caller.Kind != ClientKinds.Staff)
        {
            throw RichErrors.WithReason(StatusCode.PermissionDenied, "NOT_ALLOWED",
                "Only authority staff, or the school that owns the student, may list who accessed a record.");
        }
    }

    private static int PageSize(int requested) => requested switch
    {
        < 0 => throw RichErrors.InvalidArgument("page_size", "must be 0 (the server default) or more"),
        0 => DefaultPageSize,
        _ => Math.Min(requested, MaxPageSize),
    };

    private static W.AuditEntry ToWire(AuditEntryRow row) => new()
    {
        Sequence = (ulong)row.Sequence,
        RecordedAt = Timestamp.FromDateTime(row.RecordedAt),
        ActorClientId = row.ActorClientId,
        ActorKind = row.ActorKind,
        ActorSchoolCode = row.ActorSchoolCode ?? "",
        Action = row.Action,
        Purpose = row.Purpose,
        SubjectCount = (uint)row.SubjectCount,
        Detail = row.Detail,
    };

    /// <summary>Entries by sequence with their subjects, merged from two ordered reads on two connections.</summary>
    private async IAsyncEnumerable<AuditChainEntry> EntriesAsync([EnumeratorCancellation] CancellationToken ct)
    {
        await using var entriesDb = await contexts.CreateDbContextAsync(ct);
        await using var subjectsDb = await contexts.CreateDbContextAsync(ct);
        await using var subjects = subjectsDb.AuditSubjects.AsNoTracking()
            .OrderBy(s => s.EntrySequence)
            .Select(s => new { s.EntrySequence, s.StudentKey })
            .AsAsyncEnumerable()
            .GetAsyncEnumerator(ct);
        var more = await subjects.MoveNextAsync();
        await foreach (var row in entriesDb.AuditEntries.AsNoTracking().OrderBy(a => a.Sequence).AsAsyncEnumerable().WithCancellation(ct))
        {
            var keys = new List<string>(row.SubjectCount);
            // Subjects of an entry that is gone are skipped; the gap itself is what the verifier reports.
            while (more && subjects.Current.EntrySequence < row.Sequence)
            {
                more = await subjects.MoveNextAsync();
            }
            while (more && subjects.Current.EntrySequence == row.Sequence)
            {
                keys.Add(subjects.Current.StudentKey);
                more = await subjects.MoveNextAsync();
            }
            yield return ToChainEntry(row, keys);
        }
    }

    public static AuditChainEntry ToChainEntry(AuditEntryRow row, IEnumerable<string> subjects) => new(
        row.Sequence,
        row.RecordedAt,
        new AuditActor(row.ActorClientId, row.ActorKind, row.ActorSchoolCode),
        row.Action,
        row.Purpose,
        row.Detail,
        row.SubjectCount,
        AuditChain.Canonical(subjects),
        row.PreviousHash,
        row.Hash);

    private async IAsyncEnumerable<AuditCheckpointRecord> CheckpointsAsync([EnumeratorCancellation] CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        await foreach (var row in db.AuditCheckpoints.AsNoTracking().OrderBy(c => c.Sequence).AsAsyncEnumerable().WithCancellation(ct))
        {
            yield return new AuditCheckpointRecord(row.Sequence, row.Hash, row.SignedAt, row.KeyId, row.Signature);
        }
    }
}
