using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using RegistryExchange.Authority.Audit;
using RegistryExchange.Authority.Identity;
using RegistryExchange.Authority.Security;
using RegistryExchange.Protocol;
using RegistryExchange.Storage;
using RegistryExchange.Storage.Model;
using W = RegistryExchange.Contracts.V1;

namespace RegistryExchange.Authority.Feed;

/// <summary>The ordered, resumable feed of accepted changes (change_log rows, docs/decisions/0002).</summary>
[Authorize(Policy = AuthorityPolicies.Feed)]
public sealed class ChangeFeedService(
    IDbContextFactory<AuthorityDbContext> contexts,
    FeedSignal signal,
    IOptions<FeedOptions> options,
    AuditLog audit,
    TokenLiveness liveness,
    TimeProvider time) : W.ChangeFeedService.ChangeFeedServiceBase
{
    public override async Task SubscribeChanges(W.SubscribeChangesRequest request, IServerStreamWriter<W.SubscribeChangesResponse> responseStream, ServerCallContext context)
    {
        Validate(request);
        var settings = options.Value;
        var pageSize = request.MaxEntriesPerResponse == 0 ? settings.DefaultPageSize : Math.Min(request.MaxEntriesPerResponse, settings.MaxPageSize);
        var after = request.AfterVersion;
        var ct = context.CancellationToken;
        var sentAny = false;
        // Staff see records whole; every other reader (a feed consumer) gets the minimised view.
        var view = context.Caller().Kind == Protocol.Identity.ClientKinds.Staff ? (Func<ChangeLogRow, W.FeedEntry>)ToEntry : ToConsumerEntry;
        while (!ct.IsCancellationRequested)
        {
            var wake = signal.Next;
            var response = await ReadPageAsync(after, pageSize, view, ct);
            if (response.Entries.Count > 0 || !sentAny)
            {
                if (response.Entries.Count > 0)
                {
                    // A followed feed runs for hours: each page needs a token that is still valid.
                    await liveness.EnsureStillValidAsync(context, ct);
                    // Every page of records is on the access log before it leaves.
                    await audit.AppendAsync(AuditActions.Event(context, AuditActions.FeedRead,
                        response.Entries.Select(e => AuditActions.SubjectKey(e.NationalStudentNumber, e.SchoolCode, e.Change.StudentLocalId)),
                        string.Create(System.Globalization.CultureInfo.InvariantCulture,
                            $"versions {response.Entries[0].Version}..{response.Entries[^1].Version}")), ct);
                }
                await responseStream.WriteAsync(response, ct);
                sentAny = true;
                after = response.Entries.Count > 0 ? response.Entries[^1].Version : after;
            }
            if (response.Entries.Count == pageSize)
            {
                continue;
            }
            if (!request.Follow)
            {
                return;
            }
            await Task.WhenAny(wake, Task.Delay(settings.PollInterval, time, ct));
        }
    }

    private static void Validate(W.SubscribeChangesRequest request)
    {
        if (request.AfterVersion < 0)
        {
            throw RichErrors.InvalidArgument("after_version", "must be 0 or more");
        }
        if (request.MaxEntriesPerResponse < 0)
        {
            throw RichErrors.InvalidArgument("max_entries_per_response", "must be 0 (the server default) or more");
        }
    }

    private async Task<W.SubscribeChangesResponse> ReadPageAsync(long after, int pageSize, Func<ChangeLogRow, W.FeedEntry> view, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var accepted = db.ChangeLog.AsNoTracking().Where(c => c.Outcome == ChangeOutcome.Accepted);
        var rows = await accepted.Where(c => c.Version > after).OrderBy(c => c.Version).Take(pageSize).ToListAsync(ct);
        var head = await accepted.MaxAsync(c => (long?)c.Version, ct) ?? 0;
        var response = new W.SubscribeChangesResponse { HeadVersion = Math.Max(head, rows.Count > 0 ? rows[^1].Version : 0) };
        response.Entries.AddRange(rows.Select(view));
        return response;
    }

    private static W.FeedEntry ToConsumerEntry(ChangeLogRow row)
    {
        var entry = ToEntry(row);
        RecordViews.ForFeedConsumer(entry.Change);
        return entry;
    }

    private static W.FeedEntry ToEntry(ChangeLogRow row) => new()
    {
        Version = row.Version,
        NationalStudentNumber = row.NationalStudentNumber ?? "",
        SchoolCode = row.SchoolCode,
        Kind = (W.FeedEntryKind)(int)row.Kind,
        Change = W.RecordChange.Parser.ParseFrom(row.Payload),
        StatusAfter = (W.StudentStatus)(int)(row.StatusAfter ?? 0),
        RecordEnded = row.RecordEnded,
        AppliedAt = Timestamp.FromDateTime(row.AppliedAt),
        RecordVersion = row.RecordVersion,
    };
}
