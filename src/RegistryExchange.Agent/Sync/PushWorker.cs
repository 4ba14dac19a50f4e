using Grpc.Core;
using Grpc.Net.ClientFactory;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using RegistryExchange.Agent.Hosting;
using RegistryExchange.Agent.Register;
using W = RegistryExchange.Contracts.V1;

namespace RegistryExchange.Agent.Sync;

/// <summary>
/// Pushes the outbox to the authority. Each session asks the authority's high-water mark (the only truth about
/// what was applied), then streams the entries after it in pipelined batches. A crash anywhere is harmless: the
/// next session starts from the authority's mark again and replays return the original results.
/// </summary>
public sealed class PushWorker(
    GrpcClientFactory clients,
    IAuthorityTokenSource tokens,
    OutboxReader outbox,
    PushResults results,
    OutboxSignal signal,
    IOptions<PushOptions> pushOptions,
    IOptions<AuthorityOptions> authorityOptions,
    TimeProvider time,
    ILogger<PushWorker> logger) : BackgroundService
{
    private int _gapsInARow;
    private int _refusalsInARow;
    private bool _idle;

    private PushOptions Options => pushOptions.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Options.Enabled)
        {
            logger.LogInformation("Push worker disabled (Push:Enabled=false)");
            return;
        }
        var pipeline = BuildRetryPipeline(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await pipeline.ExecuteAsync(RunSessionAsync, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
        }
    }

    private ResiliencePipeline BuildRetryPipeline(CancellationToken stoppingToken) =>
        new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(_ => !stoppingToken.IsCancellationRequested),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = Options.FirstBackoff,
                MaxDelay = Options.MaxBackoff,
                MaxRetryAttempts = int.MaxValue,
                OnRetry = async args =>
                {
                    var error = Describe(args.Outcome.Exception);
                    logger.LogWarning("Push to the authority failed (attempt {Attempt}), retrying in {Delay}: {Error}",
                        args.AttemptNumber + 1, args.RetryDelay, error);
                    await TryRecordErrorAsync(error);
                },
            })
            .Build();

    /// <summary>One connection's worth of pushing. A failure after progress (or a first sequence gap) returns
    /// normally, so the next session starts at once with a fresh high-water mark and the backoff starts over.</summary>
    private async ValueTask RunSessionAsync(CancellationToken ct)
    {
        if (_idle)
        {
            await WaitForWorkAsync(ct);
            _idle = false;
        }
        var client = clients.CreateClient<W.SyncService.SyncServiceClient>(nameof(W.SyncService.SyncServiceClient));
        var session = new PushSession(client, tokens, outbox, results, signal, Options, authorityOptions.Value, time, logger);
        try
        {
            await session.RunAsync(ct);
            _idle = session.ClosedWhileIdle;
            _refusalsInARow = 0;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Unauthenticated && session.Token is { } refused)
        {
            // Revoked, signed with a key the authority no longer has, or expired on a clock that disagrees with ours:
            // a new token is fetched for the next session, which resumes from the authority's mark (nothing is lost
            // or applied twice). Backs off only if a fresh token is refused too.
            tokens.Invalidate(refused);
            if (ct.IsCancellationRequested || !ReconnectAfterRefusal(session.Delivered))
            {
                throw;
            }
            logger.LogWarning("The authority refused the access token after {Count} changes ({Error}); reconnecting with a new token",
                session.Delivered, Describe(e));
        }
        catch (Exception e) when (!ct.IsCancellationRequested && ReconnectAtOnce(e, session.Delivered))
        {
            logger.LogWarning("Push session ended after {Count} changes: {Error}; reconnecting", session.Delivered, Describe(e));
        }
    }

    private bool ReconnectAfterRefusal(long delivered)
    {
        if (delivered > 0)
        {
            _refusalsInARow = 0;
        }
        return _refusalsInARow++ == 0;
    }

    /// <summary>After an idle close, connect again only for something to send.</summary>
    private async Task WaitForWorkAsync(CancellationToken ct)
    {
        while (!await outbox.HasUnsentAsync(ct))
        {
            await signal.WaitAsync(Options.IdlePoll, time, ct);
        }
    }

    private bool ReconnectAtOnce(Exception e, long delivered)
    {
        if (delivered > 0)
        {
            _gapsInARow = 0;
            return true;
        }
        // A second gap without progress in between backs off like any other failure.
        return e is RpcException r && IsSequenceGap(r) && _gapsInARow++ == 0;
    }

    internal static bool IsSequenceGap(RpcException e) =>
        e.StatusCode == StatusCode.FailedPrecondition
        && e.GetRpcStatus()?.GetDetail<Google.Rpc.ErrorInfo>()?.Reason == "SEQUENCE_GAP";

    private static string Describe(Exception? e) => e switch
    {
        null => "unknown error",
        RpcException r => $"{r.StatusCode}: {r.Status.Detail}",
        _ => e.Message,
    };

    private async Task TryRecordErrorAsync(string error)
    {
        try
        {
            await results.RecordErrorAsync(error, CancellationToken.None);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            logger.LogWarning(e, "Could not record the push error in sync_state");
        }
    }
}
