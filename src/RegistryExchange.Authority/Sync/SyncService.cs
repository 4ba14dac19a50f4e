using System.Threading.Channels;
using Google.Protobuf.Collections;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using RegistryExchange.Authority.Audit;
using RegistryExchange.Authority.Identity;
using RegistryExchange.Authority.Ingest;
using RegistryExchange.Authority.Security;
using RegistryExchange.Domain.Validation;
using RegistryExchange.Protocol;
using RegistryExchange.Storage;
using RegistryExchange.Storage.Model;
using W = RegistryExchange.Contracts.V1;

namespace RegistryExchange.Authority.Sync;

/// <summary>Upward sync. The school is the authenticated caller's; nothing in a request can name another.</summary>
[Authorize(Policy = AuthorityPolicies.Sync)]
public sealed class SyncService(
    BatchIngestor ingestor,
    TokenLiveness liveness,
    IDbContextFactory<AuthorityDbContext> contexts,
    AuditLog audit,
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
        var schoolCode = context.SchoolCode();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        // The next batch is read and validated while this one applies: validation needs no lock.
        var batches = Channel.CreateBounded<ValidatedBatch>(new BoundedChannelOptions(2) { SingleReader = true, SingleWriter = true });
        var reading = ReadAheadAsync(requestStream, batches.Writer, stop.Token);
        try
        {
            await foreach (var batch in batches.Reader.ReadAllAsync(context.CancellationToken))
            {
                if (batch.Errors.Count > 0)
                {
                    throw RichErrors.InvalidArgument(batch.Errors);
                }
                // The token was checked when the stream opened; a disabled client must not push on for minutes.
                await liveness.EnsureStillValidAsync(context, context.CancellationToken);
                var result = await ingestor.ApplyAsync(schoolCode, batch.Changes, PushAccess(context), context.CancellationToken);
                await responseStream.WriteAsync(new W.StreamChangesResponse { Results = { result.Results }, HighWaterMark = result.HighWaterMark }, context.CancellationToken);
            }
        }
        finally
        {
            await stop.CancelAsync();
            await reading; // never leave a read of the request stream running past the call
        }
    }

    private async Task ReadAheadAsync(IAsyncStreamReader<W.StreamChangesRequest> requests, ChannelWriter<ValidatedBatch> batches, CancellationToken ct)
    {
        try
        {
            await foreach (var request in requests.ReadAllAsync(ct))
            {
                var errors = BatchValidation.Validate(request.Changes, RegistryClock.Today(time), options.Value.MaxBatchSize);
                await batches.WriteAsync(new ValidatedBatch(request.Changes, errors), ct);
                if (errors.Count > 0)
                {
                    break;
                }
            }
            batches.TryComplete();
        }
        catch (Exception e) when (e is OperationCanceledException || ct.IsCancellationRequested)
        {
            batches.TryComplete();
        }
        catch (Exception e)
        {
            batches.TryComplete(e);
        }
    }

    private sealed record ValidatedBatch(RepeatedField<W.RecordChange> Changes, IReadOnlyList<ValidationError> Errors);

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
        if (rows.Count > 0)
        {
            // Recorded before the rows are handed out.
            await audit.AppendAsync(AuditActions.Event(context, AuditActions.SyncRejectedList,
                rows.Select(r => AuditActions.SubjectKey(r.NationalStudentNumber, r.SchoolCode, r.StudentLocalId)),
                string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"{rows.Count} rejected changes, sequences {rows[^1].Sequence}..{rows[0].Sequence}")), context.CancellationToken);
        }
        var response = new W.ListRejectedChangesResponse();
        response.RejectedChanges.AddRange(rows.Select(r => new W.RejectedChange
        {
            Sequence = (ulong)r.Sequence,
            StudentLocalId = r.StudentLocalId,
            Result = ChangeResults.ToWire(r),
        }));
        return response;
    }

    private Task<BatchResult> ApplyAsync(RepeatedField<W.RecordChange> changes, ServerCallContext context)
    {
        var schoolCode = context.SchoolCode();
        var errors = BatchValidation.Validate(changes, RegistryClock.Today(time), options.Value.MaxBatchSize);
        if (errors.Count > 0)
        {
            throw RichErrors.InvalidArgument(errors);
        }
        return ingestor.ApplyAsync(schoolCode, changes, PushAccess(context), context.CancellationToken);
    }

    private static AuditEvent PushAccess(ServerCallContext context) => AuditActions.Event(context, AuditActions.SyncPush, []);
}
