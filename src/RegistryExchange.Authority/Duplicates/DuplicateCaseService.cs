using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using RegistryExchange.Authority.Audit;
using RegistryExchange.Authority.Ingest;
using RegistryExchange.Authority.Security;
using RegistryExchange.Domain.Codes;
using RegistryExchange.Domain.Validation;
using RegistryExchange.Protocol;
using RegistryExchange.Storage;
using RegistryExchange.Storage.Model;
using W = RegistryExchange.Contracts.V1;

namespace RegistryExchange.Authority.Duplicates;

/// <summary>Authority staff review ID numbers claimed by two schools. ID numbers leave only masked.</summary>
[Authorize(Policy = AuthorityPolicies.StaffAdmin)]
public sealed class DuplicateCaseService(
    IDbContextFactory<AuthorityDbContext> contexts,
    AuditLog audit,
    TimeProvider time,
    ILogger<DuplicateCaseService> logger) : W.DuplicateCaseService.DuplicateCaseServiceBase
{
    private const int DefaultPageSize = 100;
    private const int MaxPageSize = 1000;

    public override async Task<W.ListDuplicateCasesResponse> ListDuplicateCases(W.ListDuplicateCasesRequest request, ServerCallContext context)
    {
        if (request.PageSize < 0)
        {
            throw RichErrors.InvalidArgument("page_size", "must be 0 (the server default) or more");
        }
        var pageSize = request.PageSize == 0 ? DefaultPageSize : Math.Min(request.PageSize, MaxPageSize);
        await using var db = await contexts.CreateDbContextAsync(context.CancellationToken);
        var cases = db.DuplicateCases.AsNoTracking().Where(c => c.Id > request.AfterCaseId);
        if (!request.IncludeResolved)
        {
            cases = cases.Where(c => c.State == DuplicateCaseState.Open);
        }
        var rows = await cases.OrderBy(c => c.Id).Take(pageSize).ToListAsync(context.CancellationToken);
        if (rows.Count > 0)
        {
            await audit.AppendAsync(AuditActions.Event(context, AuditActions.DuplicatesList, rows.SelectMany(Subjects),
                string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{rows.Count} cases, ids {rows[0].Id}..{rows[^1].Id}")),
                context.CancellationToken);
        }
        var response = new W.ListDuplicateCasesResponse();
        response.Cases.AddRange(rows.Select(ToWire));
        return response;
    }

    public override async Task<W.ResolveDuplicateCaseResponse> ResolveDuplicateCase(W.ResolveDuplicateCaseRequest request, ServerCallContext context)
    {
        Validate(request);
        await using var db = await contexts.CreateDbContextAsync(context.CancellationToken);
        await using var transaction = await audit.BeginAsync(db, context.CancellationToken);
        var row = await db.DuplicateCases.SingleOrDefaultAsync(c => c.Id == request.CaseId, context.CancellationToken)
            ?? throw RichErrors.WithReason(StatusCode.NotFound, "CASE_NOT_FOUND", $"There is no duplicate case {request.CaseId}.");
        if (row.State == DuplicateCaseState.Resolved)
        {
            throw RichErrors.FailedPrecondition("CASE_ALREADY_RESOLVED", $"Duplicate case {row.Id} is already resolved.", subject: "case_id");
        }
        row.State = DuplicateCaseState.Resolved;
        row.Resolution = (DuplicateResolution)(int)request.Resolution;
        row.Note = request.Note;
        row.ResolvedAt = RegistryClock.Now(time);
        await db.SaveChangesAsync(context.CancellationToken);
        // The resolution and its audit entry commit together.
        await audit.AppendAsync(db, AuditActions.Event(context, AuditActions.DuplicatesResolve, Subjects(row),
            string.Create(System.Globalization.CultureInfo.InvariantCulture, $"case {row.Id} resolved as {row.Resolution}")), context.CancellationToken);
        await transaction.CommitAsync(context.CancellationToken);
        logger.LogInformation("Duplicate case {CaseId} resolved as {Resolution}", row.Id, row.Resolution);
        return new W.ResolveDuplicateCaseResponse { DuplicateCase = ToWire(row) };
    }

    private static void Validate(W.ResolveDuplicateCaseRequest request)
    {
        var errors = new List<ValidationError>();
        if (request.CaseId <= 0)
        {
            errors.Add(new("case_id", "must be a case id (1 or more)"));
        }
        if (request.Resolution == W.DuplicateResolution.Unspecified || !System.Enum.IsDefined(request.Resolution))
        {
            errors.Add(new("resolution", $"{(int)request.Resolution} is not a resolution"));
        }
        var noteProblem = TextRules.Check(request.Note, 1000, required: false, allowNewlines: true);
        if (noteProblem is not null)
        {
            errors.Add(new("note", noteProblem));
        }
        if (errors.Count > 0)
        {
            throw RichErrors.InvalidArgument(errors);
        }
    }

    private static W.DuplicateCase ToWire(DuplicateCaseRow row) => new()
    {
        CaseId = row.Id,
        MaskedIdNumber = IdNumber.Mask(row.IdNumber),
        ExistingNationalStudentNumber = MaskNationalNumber(row.ExistingNationalStudentNumber),
        ExistingSchoolCode = row.ExistingSchoolCode,
        ClaimingSchoolCode = row.ClaimingSchoolCode,
        ClaimingLocalId = row.ClaimingLocalId,
        ClaimingSequence = (ulong)row.ClaimingSequence,
        State = (W.DuplicateCaseState)(int)row.State,
        Resolution = row.Resolution is { } r ? (W.DuplicateResolution)(int)r : W.DuplicateResolution.Unspecified,
        Note = row.Note,
        OpenedAt = Timestamp.FromDateTime(row.OpenedAt),
        ResolvedAt = row.ResolvedAt is { } at ? Timestamp.FromDateTime(at) : null,
    };

    /// <summary>Both students of a case: the registered one and the claiming school's record.</summary>
    private static IEnumerable<string> Subjects(DuplicateCaseRow row) =>
    [
        row.ExistingNationalStudentNumber,
        AuditActions.SubjectKey(null, row.ClaimingSchoolCode, row.ClaimingLocalId),
    ];

    /// <summary>A G-number is "G" + the ID number, so it is masked like one.</summary>
    private static string MaskNationalNumber(string number) =>
        number.StartsWith('G') ? "G" + IdNumber.Mask(number[1..]) : number;
}
