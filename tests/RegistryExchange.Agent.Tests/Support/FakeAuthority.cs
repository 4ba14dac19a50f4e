using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using RegistryExchange.Protocol;
using W = RegistryExchange.Contracts.V1;

namespace RegistryExchange.Agent.Tests.Support;

/// <summary>A scripted SyncService for what the real authority will not do on demand, such as report a stale
/// high-water mark. It applies in order, refuses gaps like the real one and answers replays.</summary>
public sealed class FakeAuthority : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeAuthority(WebApplication app) => _app = app;

    public FakeState State => _app.Services.GetRequiredService<FakeState>();

    public static async Task<FakeAuthority> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddGrpc();
        builder.Services.AddSingleton<FakeState>();
        var app = builder.Build();
        app.MapGrpcService<FakeSyncService>();
        // A scripted token endpoint: any client, opaque tokens the sync service checks.
        app.MapPost("/connect/token", (FakeState state) => Results.Json(new Dictionary<string, object>
        {
            ["access_token"] = state.IssueToken(),
            ["token_type"] = "Bearer",
            ["expires_in"] = state.TokenLifetimeSeconds,
        }));
        await app.StartAsync();
        return new FakeAuthority(app);
    }

    public HttpMessageHandler Handler() => _app.GetTestServer().CreateHandler();

    public Uri Address => _app.GetTestServer().BaseAddress;

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}

public sealed class FakeState
{
    private readonly Lock _lock = new();
    public long Applied { get; private set; }
    public List<ulong> Received { get; } = [];
    public int Gaps { get; private set; }
    private int _openStreams;
    private int _streamsOpened;
    public int OpenStreams => Volatile.Read(ref _openStreams);
    public int StreamsOpened => Volatile.Read(ref _streamsOpened);

    public void StreamOpened()
    {
        Interlocked.Increment(ref _openStreams);
        Interlocked.Increment(ref _streamsOpened);
    }

    public void StreamClosed() => Interlocked.Decrement(ref _openStreams);
    private readonly Dictionary<string, DateTime> _validTokens = [];
    private int _tokensIssued;
    public int TokensIssued => Volatile.Read(ref _tokensIssued);
    public int TokenLifetimeSeconds { get; set; } = 600;
    /// <summary>When set, the stream refuses its token (UNAUTHENTICATED) after applying this many batches on it, once.</summary>
    public int? RevokeTokenAfterBatches { get; set; }
    public int TokensRevokedMidStream { get; private set; }

    public string IssueToken()
    {
        lock (_lock)
        {
            var token = "fake-token-" + Interlocked.Increment(ref _tokensIssued).ToString(System.Globalization.CultureInfo.InvariantCulture);
            _validTokens[token] = DateTime.UtcNow.AddSeconds(TokenLifetimeSeconds);
            return token;
        }
    }

    public void CheckToken(ServerCallContext context)
    {
        var header = context.RequestHeaders.GetValue("authorization") ?? "";
        lock (_lock)
        {
            if (!header.StartsWith("Bearer ", StringComparison.Ordinal) || !_validTokens.TryGetValue(header["Bearer ".Length..], out var expires))
            {
                throw new RpcException(new Status(StatusCode.Unauthenticated, "no valid token"));
            }
            if (expires <= DateTime.UtcNow)
            {
                throw new RpcException(new Status(StatusCode.Unauthenticated, "the token has expired"));
            }
        }
    }

    /// <summary>Stricter than the real authority, which checks a token when the call starts: every batch must come
    /// on a live token. Revokes the call's token if the script says so after <paramref name="batchesOnThisStream"/> batches.</summary>
    public void MaybeRevoke(ServerCallContext context, int batchesOnThisStream)
    {
        CheckToken(context);
        lock (_lock)
        {
            if (RevokeTokenAfterBatches is { } after && batchesOnThisStream >= after)
            {
                RevokeTokenAfterBatches = null;
                TokensRevokedMidStream++;
                _validTokens.Remove(context.RequestHeaders.GetValue("authorization")!["Bearer ".Length..]);
                throw new RpcException(new Status(StatusCode.Unauthenticated, "the token was revoked"));
            }
        }
    }

    /// <summary>The next GetHighWaterMark answers this instead of the truth.</summary>
    public long? StaleMarkOnce { get; set; }

    /// <summary>As if the first <paramref name="applied"/> changes had been applied before the agent learnt the results.</summary>
    public void AlreadyApplied(long applied)
    {
        lock (_lock)
        {
            Applied = applied;
        }
    }

    public long ReadMark()
    {
        lock (_lock)
        {
            var mark = StaleMarkOnce ?? Applied;
            StaleMarkOnce = null;
            return mark;
        }
    }

    public W.StreamChangesResponse Apply(W.StreamChangesRequest request)
    {
        lock (_lock)
        {
            var first = (long)request.Changes[0].Sequence;
            if (first > Applied + 1)
            {
                Gaps++;
                throw RichErrors.FailedPrecondition("SEQUENCE_GAP", $"expected {Applied + 1}",
                    new Dictionary<string, string> { ["expected_sequence"] = (Applied + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) });
            }
            var response = new W.StreamChangesResponse();
            foreach (var change in request.Changes)
            {
                if ((long)change.Sequence > Applied)
                {
                    Applied = (long)change.Sequence;
                    Received.Add(change.Sequence);
                }
                response.Results.Add(new W.ChangeResult
                {
                    Sequence = change.Sequence,
                    Outcome = W.ChangeOutcome.Accepted,
                    NationalStudentNumber = "G" + change.Created?.Details?.Basic?.IdNumber,
                });
            }
            response.HighWaterMark = (ulong)Applied;
            return response;
        }
    }
}

internal sealed class FakeSyncService(FakeState state) : W.SyncService.SyncServiceBase
{
    public override Task<W.GetHighWaterMarkResponse> GetHighWaterMark(W.GetHighWaterMarkRequest request, ServerCallContext context)
    {
        state.CheckToken(context);
        return Task.FromResult(new W.GetHighWaterMarkResponse { SchoolCode = "S110105001", HighWaterMark = (ulong)state.ReadMark() });
    }

    public override async Task StreamChanges(IAsyncStreamReader<W.StreamChangesRequest> requestStream,
        IServerStreamWriter<W.StreamChangesResponse> responseStream, ServerCallContext context)
    {
        state.CheckToken(context);
        state.StreamOpened();
        try
        {
            var batches = 0;
            await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
            {
                state.MaybeRevoke(context, batches);
                await responseStream.WriteAsync(state.Apply(request), context.CancellationToken);
                batches++;
            }
        }
        finally
        {
            state.StreamClosed();
        }
    }
}
