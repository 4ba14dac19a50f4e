using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using RegistryExchange.Agent.Register;
using RegistryExchange.Agent.Storage;
using RegistryExchange.Domain.Students;
using RegistryExchange.Domain.Validation;
using RegistryExchange.Protocol;
using W = RegistryExchange.Contracts.V1;

namespace RegistryExchange.Agent.Api;

/// <summary>The school's local API. Errors are raised as domain exceptions and translated by <see cref="DomainErrorInterceptor"/>.</summary>
public sealed class SchoolRegisterGrpcService(SchoolRegister register, RegisterQueries queries, ILogger<SchoolRegisterGrpcService> logger)
    : W.SchoolRegisterService.SchoolRegisterServiceBase
{
    public const int MaxImportRows = 10_000;

    // CreateStudent's own fields keep their names; everything else the domain reports lives under "details".
    private static readonly HashSet<string> CreateRequestFields = ["local_id", "effective_date", "reason", "reference"];

    public override async Task<W.CreateStudentResponse> CreateStudent(W.CreateStudentRequest request, ServerCallContext context)
    {
        var localId = request.LocalId.Length > 0 ? request.LocalId : SchoolRegister.NewLocalId();
        var student = await Prefixed("details", CreateRequestFields, () => register.CreateAsync(localId, request.Details.ToDomain(), request.EffectiveDate,
            request.Reason, request.Reference, context.CancellationToken));
        logger.LogInformation("Created student {LocalId} (ID {IdNumber})", student.LocalId, Domain.Codes.IdNumber.Mask(student.Details.Basic.IdNumber));
        return new W.CreateStudentResponse { Student = student.ToWire() };
    }

    public override async Task<W.UpdateStudentResponse> UpdateStudent(W.UpdateStudentRequest request, ServerCallContext context)
    {
        RequireLocalId(request.LocalId);
        var student = await Prefixed("details", [], () => register.UpdateAsync(request.LocalId, request.Details.ToDomain(), request.ExpectedVersion, context.CancellationToken));
        return new W.UpdateStudentResponse { Student = student.ToWire() };
    }

    public override async Task<W.ChangeStudentStatusResponse> ChangeStudentStatus(W.ChangeStudentStatusRequest request, ServerCallContext context)
    {
        RequireLocalId(request.LocalId);
        if (request.Event is null)
        {
            throw new FieldValidationException([new("event", "is required")]);
        }
        var student = await Prefixed("event", [], () => register.ChangeStatusAsync(request.LocalId, request.Event, context.CancellationToken));
        return new W.ChangeStudentStatusResponse { Student = student.ToWire() };
    }

    public override async Task<W.GetStudentResponse> GetStudent(W.GetStudentRequest request, ServerCallContext context)
    {
        RequireLocalId(request.LocalId);
        return new W.GetStudentResponse { Student = (await queries.GetAsync(request.LocalId, context.CancellationToken)).ToWire() };
    }

    public override async Task<W.ListStudentsResponse> ListStudents(W.ListStudentsRequest request, ServerCallContext context)
    {
        if (!System.Enum.IsDefined(request.Status))
        {
            throw new FieldValidationException([new("status", $"{(int)request.Status} is not a known value")]);
        }
        var students = await queries.ListAsync(request.PageSize, request.AfterLocalId, (StudentStatus)request.Status, context.CancellationToken);
        var response = new W.ListStudentsResponse();
        response.Students.AddRange(students.Select(s => s.ToWire()));
        return response;
    }

    public override async Task<W.ImportStudentsResponse> ImportStudents(W.ImportStudentsRequest request, ServerCallContext context)
    {
        if (request.Rows.Count > MaxImportRows)
        {
            throw new FieldValidationException([new("rows", $"has {request.Rows.Count} rows; send at most {MaxImportRows} per request")]);
        }
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var items = request.Rows.Select(r => new ImportItem(r.RowNumber, r.LocalId, r.Details ?? new W.StudentDetails())).ToList();
        var outcomes = await register.ImportAsync(items, context.CancellationToken);
        var response = new W.ImportStudentsResponse();
        response.Results.AddRange(outcomes.Select(ToWire));
        logger.LogInformation("Imported {Created} of {Rows} rows in {Elapsed:F0} ms", outcomes.Count(o => o.Created), outcomes.Count,
            System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return response;
    }

    public override async Task<W.ListPushRejectionsResponse> ListPushRejections(W.ListPushRejectionsRequest request, ServerCallContext context)
    {
        var rows = await queries.ListRejectionsAsync((long)request.BeforeSequence, request.PageSize, context.CancellationToken);
        var response = new W.ListPushRejectionsResponse();
        response.RejectedChanges.AddRange(rows.Select(ToWire));
        return response;
    }

    public override async Task<W.GetSyncStatusResponse> GetSyncStatus(W.GetSyncStatusRequest request, ServerCallContext context)
    {
        var s = await queries.GetSyncStatusAsync(context.CancellationToken);
        return new W.GetSyncStatusResponse
        {
            SchoolCode = s.SchoolCode,
            LastLocalSequence = (ulong)s.LastLocalSequence,
            AuthorityHighWaterMark = (ulong)s.AuthorityHighWaterMark,
            PendingChanges = (ulong)s.PendingChanges,
            RejectedChanges = (ulong)s.RejectedChanges,
            LastPushAt = s.LastPushAt is { } at ? Timestamp.FromDateTimeOffset(at) : null,
            LastError = s.LastError ?? "",
        };
    }

    private static void RequireLocalId(string localId)
    {
        if (Student.CheckLocalId(localId) is { } problem)
        {
            throw new FieldValidationException([new("local_id", problem)]);
        }
    }

    /// <summary>Rewrites the domain's field paths into the request's ("basic.name" → "details.basic.name").</summary>
    private static async Task<T> Prefixed<T>(string prefix, HashSet<string> unprefixed, Func<Task<T>> action)
    {
        try
        {
            return await action();
        }
        catch (DomainValidationException e)
        {
            throw new FieldValidationException([.. e.Errors.Select(x => unprefixed.Contains(x.Field) ? x : x.WithPrefix(prefix))]);
        }
    }

    private static W.ImportRowResult ToWire(ImportOutcome o)
    {
        var result = new W.ImportRowResult { RowNumber = o.RowNumber, Created = o.Created, LocalId = o.LocalId };
        result.Errors.AddRange(o.Errors.Select(e => new W.FieldError { Field = e.Field, Description = e.Description }));
        return result;
    }

    private static W.RejectedChange ToWire(PushRejection r) => new()
    {
        Sequence = (ulong)r.Sequence,
        StudentLocalId = r.LocalId,
        Result = new W.ChangeResult
        {
            Sequence = (ulong)r.Sequence,
            Outcome = W.ChangeOutcome.Rejected,
            RejectionReason = System.Enum.TryParse<W.RejectionReason>(r.Reason, out var reason) ? reason : W.RejectionReason.Unspecified,
            Message = r.Message,
            AppliedAt = Timestamp.FromDateTimeOffset(r.RecordedAt),
        },
    };
}
