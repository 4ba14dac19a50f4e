using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using RegistryExchange.Authority.Ingest;
using RegistryExchange.Authority.Security;
using RegistryExchange.Domain.Validation;
using RegistryExchange.Protocol;
using RegistryExchange.Storage;
using RegistryExchange.Storage.Model;
using W = RegistryExchange.Contracts.V1;

namespace RegistryExchange.Authority.Sync;

/// <summary>Upward sync. The school is the authenticated caller's; nothing in a request can name another.</summary>
[Authorize(Policy = AuthorityPolicies.School)]
public sealed class SyncService(
    BatchIngestor ingestor,
    IDbContextFactory<AuthorityDbContext> contexts,
    IOptions<SyncOptions> options,
    TimeProvider time) : W.SyncService.SyncServiceBase
{
    public override async Task<W.GetHighWaterMarkResponse> GetHighWaterMark(W.GetHighWaterMarkRequest request, ServerCallContext context)
    {
        var schoolCode = context.SchoolCode();
        await using var db = await contexts.CreateDbContextAsync(context.CancellationToken);
        var school = await db.Schools.AsNoTracking().SingleOrDefaultAsync(s => s.Code == schoolCode, context.CancellationToken)
            ?? throw BatchIngestor.SchoolNotRegistered(schoolCode);
        return new W.GetHighWaterMarkResponse { SchoolCode = school.Code, HighWaterMark = (ulong)school.HighWaterMark };
    }

    public override async Task<W.PushChangesResponse> PushChanges(W.PushChangesRequest request, ServerCallContext context)
    {
        var result = await ApplyAsync(request.Changes, context);
        return new W.PushChangesResponse { Results = { result.Results }, HighWaterMark = result.HighWaterMark };
    }

    public override async Task StreamChanges(IAsyncStreamReader<W.StreamChangesRequest> requestStream, IServerStreamWriter<W.StreamChangesResponse> responseStream, ServerCallContext context)
    {
        await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
        {
            var result = await ApplyAsync(request.Changes, context);
            await responseStream.WriteAsync(new W.StreamChangesResponse { Results = { result.Results }, HighWaterMark = result.HighWaterMark }, context.CancellationToken);
        }
    }

    public override async Task<W.ListRejectedChangesResponse> ListRejectedChanges(W.ListRejectedChangesRequest request, ServerCallContext context)
    {
        var schoolCode = context.SchoolCode();
        var settings = options.Value;
        if (request.PageSize < 0)
        {
            throw RichErrors.InvalidArgument("page_size", "must be 0 (the server default) or more");
        }
        var pageSize = request.PageSize == 0 ? settings.DefaultRejectedPageSize : Math.Min(request.PageSize, settings.MaxRejectedPageSize);
        var before = request.BeforeSequence is 0 or > long.MaxValue ? long.MaxValue : (long)request.BeforeSequence;
        await using var db = await contexts.CreateDbContextAsync(context.CancellationToken);
        var rows = await db.ChangeLog.AsNoTracking()
            .Where(c => c.SchoolCode == schoolCode && c.Outcome == ChangeOutcome.Rejected && c.Sequence < before)
            .OrderByDescending(c => c.Sequence)
            .Take(pageSize)
            .ToListAsync(context.CancellationToken);
        var response = new W.ListRejectedChangesResponse();
        response.RejectedChanges.AddRange(rows.Select(r => new W.RejectedChange
        {
            Sequence = (ulong)r.Sequence,
            StudentLocalId = r.StudentLocalId,
            Result = ChangeResults.ToWire(r),
        }));
        return response;
    }

    private Task<BatchResult> ApplyAsync(Google.Protobuf.Collections.RepeatedField<W.RecordChange> changes, ServerCallContext context)
    {
        var schoolCode = context.SchoolCode();
        var errors = ChangeValidation.ValidateBatch(changes, RegistryClock.Today(time), options.Value.MaxBatchSize).ToList();
        for (var i = 0; i < changes.Count && errors.Count == 0; i++)
        {
            if (changes[i].Sequence > long.MaxValue)
            {
                errors.Add(new ValidationError($"changes[{i}].sequence", $"must be at most {long.MaxValue}"));
            }
        }
        if (errors.Count > 0)
        {
            throw RichErrors.InvalidArgument(errors);
        }
        return ingestor.ApplyAsync(schoolCode, changes, context.CancellationToken);
    }
}
