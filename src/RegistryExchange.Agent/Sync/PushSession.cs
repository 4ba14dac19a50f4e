using System.Collections.Concurrent;
using Grpc.Core;
using RegistryExchange.Agent.Hosting;
using RegistryExchange.Agent.Register;
using W = RegistryExchange.Contracts.V1;

namespace RegistryExchange.Agent.Sync;

/// <summary>
/// One stream to the authority: a sender that keeps up to MaxInFlightBatches batches unanswered and a receiver
/// that records each response in order. Either failing ends the session. The stream lives no longer than the token
/// it was opened with: when that token is due for renewal (or after <see cref="AuthorityOptions.MaxStreamLifetime"/>)
/// the sender completes the stream, the authority answers what is in flight, and the worker opens the next session
/// with a fresh token. A batch therefore never travels on an expired token.
/// </summary>
internal sealed class PushSession(
    W.SyncService.SyncServiceClient client,
    IAuthorityTokenSource tokens,
    OutboxReader outbox,
    PushResults results,
    OutboxSignal signal,
    PushOptions options,
    AuthorityOptions authority,
    TimeProvider time,
    ILogger logger)
{
    private readonly ConcurrentQueue<PendingBatch> _inFlight = new();
    private long _delivered;

    /// <summary>Changes the authority answered in this session.</summary>
    public long Delivered => Interlocked.Read(ref _delivered);

    /// <summary>The session ended because it had nothing to send for <see cref="PushOptions.IdleStreamTimeout"/>.</summary>
    public bool ClosedWhileIdle { get; private set; }

    /// <summary>The token this session's calls carry (the authority may refuse it: see <see cref="IAuthorityTokenSource.Invalidate"/>).</summary>
    public AccessToken? Token { get; private set; }

    public async Task RunAsync(CancellationToken ct)
    {
        // Asked here rather than only in the call credentials: a refused client fails with the token endpoint's own
        // words (recorded in sync_state), and the session learns when its token is due.
        Token = await tokens.GetTokenAsync(ct);
        var lifetimeEnd = time.GetUtcNow() + authority.MaxStreamLifetime;
        var stopSendingAt = Token.RenewAt < lifetimeEnd ? Token.RenewAt : lifetimeEnd;
        var highWaterMark = await ReadHighWaterMarkAsync(ct);
        using var sessionCts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        // The deadline leaves the authority time to answer what is in flight after the sender stops.
        using var call = client.StreamChanges(deadline: stopSendingAt.UtcDateTime + authority.CallTimeout, cancellationToken: sessionCts.Token);
        using var slots = new SemaphoreSlim(options.MaxInFlightBatches);
        var sender = SendAsync(call.RequestStream, highWaterMark + 1, slots, stopSendingAt, sessionCts.Token);
        var receiver = ReceiveAsync(call.ResponseStream, slots, sessionCts.Token);
        if (await Task.WhenAny(sender, receiver) == sender && sender.IsCompletedSuccessfully)
        {
            // Idle or token-due close: the request stream is complete; the authority answers what is left and ends the call.
            await receiver.WaitAsync(authority.CallTimeout, time, ct);
            ClosedWhileIdle = sender.Result == SendEnd.Idle;
            return;
        }
        await sessionCts.CancelAsync();
        try
        {
            await Task.WhenAll(sender, receiver);
        }
        catch (Exception) when (sender.IsFaulted || receiver.IsFaulted || sender.IsCanceled || receiver.IsCanceled)
        {
            // Examined below: the receiver's error carries the authority's status, so it wins.
        }
        ct.ThrowIfCancellationRequested();
        var error = receiver.Exception?.InnerException ?? sender.Exception?.InnerException;
        if (error is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
        }
        throw new IOException("The authority ended the push stream.");
    }

    private async Task<long> ReadHighWaterMarkAsync(CancellationToken ct)
    {
        var response = await client.GetHighWaterMarkAsync(new W.GetHighWaterMarkRequest(),
            deadline: time.GetUtcNow().UtcDateTime + authority.CallTimeout, cancellationToken: ct);
        var mark = (long)response.HighWaterMark;
        await results.RecordHighWaterMarkAsync(mark, ct);
        var last = await outbox.LastSequenceAsync(ct);
        if (mark > last)
        {
            // New local changes would reuse numbers the authority has already applied: refuse rather than lose them.
            throw new InvalidOperationException(
                $"The authority has applied changes up to {mark} but this register's outbox ends at {last}; is this the right register for school {response.SchoolCode}?");
        }
        // Changes the authority applied whose results this register never recorded (killed in between) are pushed
        // again: the authority answers replays with the original results, so national numbers and rejections arrive.
        var recorded = await results.ResultsRecordedThroughAsync(ct);
        var resumeAfter = Math.Min(mark, recorded);
        logger.LogInformation("Push session started: authority high-water mark {Mark}, results recorded through {Recorded}, local outbox at {Last}",
            mark, recorded, last);
        return resumeAfter;
    }

    private enum SendEnd { Idle, TokenDue }

    /// <summary>Sends until cancelled; returns only after completing the stream because it was idle or its token is due.</summary>
    private async Task<SendEnd> SendAsync(IClientStreamWriter<W.StreamChangesRequest> requests, long next, SemaphoreSlim slots,
        DateTimeOffset stopSendingAt, CancellationToken ct)
    {
        var lastSent = time.GetTimestamp();
        while (true)
        {
            await slots.WaitAsync(ct);
            var untilStop = stopSendingAt - time.GetUtcNow();
            if (untilStop <= TimeSpan.Zero)
            {
                slots.Release();
                logger.LogDebug("Push stream closing: its token is due for renewal");
                await requests.CompleteAsync();
                return SendEnd.TokenDue;
            }
            var batch = await outbox.ReadBatchAsync(next, options.BatchSize, options.MaxBatchBytes, ct);
            if (batch is null)
            {
                slots.Release();
                var idle = time.GetElapsedTime(lastSent);
                if (idle >= options.IdleStreamTimeout && _inFlight.IsEmpty)
                {
                    await requests.CompleteAsync();
                    return SendEnd.Idle;
                }
                var wait = options.IdleStreamTimeout - idle;
                wait = wait < options.IdlePoll && wait > TimeSpan.Zero ? wait : options.IdlePoll;
                await signal.WaitAsync(wait < untilStop ? wait : untilStop, time, ct);
                continue;
            }
            lastSent = time.GetTimestamp();
            // Queued before it is written, so its response always finds it.
            _inFlight.Enqueue(batch);
            await requests.WriteAsync(batch.Request, ct);
            next = batch.Last + 1;
        }
    }

    private async Task ReceiveAsync(IAsyncStreamReader<W.StreamChangesResponse> responses, SemaphoreSlim slots, CancellationToken ct)
    {
        while (await responses.MoveNext(ct))
        {
            var response = responses.Current;
            if (!_inFlight.TryDequeue(out var batch))
            {
                throw new InvalidDataException("The authority answered a batch that was never sent.");
            }
            CheckResults(batch, response);
            await results.ApplyAsync(batch.LocalIds, response, ct);
            Interlocked.Add(ref _delivered, batch.Count);
            slots.Release();
        }
    }

    private static void CheckResults(PendingBatch batch, W.StreamChangesResponse response)
    {
        if (response.Results.Count != batch.Count)
        {
            throw new InvalidDataException($"The authority returned {response.Results.Count} results for a batch of {batch.Count}.");
        }
        for (var i = 0; i < response.Results.Count; i++)
        {
            if ((long)response.Results[i].Sequence != batch.First + i)
            {
                throw new InvalidDataException($"Result {i} is for sequence {response.Results[i].Sequence}, expected {batch.First + i}.");
            }
        }
    }
}
