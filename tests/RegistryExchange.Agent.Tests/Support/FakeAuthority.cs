using Grpc.Core;
using Microsoft.AspNetCore.Builder;
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
    public override Task<W.GetHighWaterMarkResponse> GetHighWaterMark(W.GetHighWaterMarkRequest request, ServerCallContext context) =>
        Task.FromResult(new W.GetHighWaterMarkResponse { SchoolCode = "S110105001", HighWaterMark = (ulong)state.ReadMark() });

    public override async Task StreamChanges(IAsyncStreamReader<W.StreamChangesRequest> requestStream,
        IServerStreamWriter<W.StreamChangesResponse> responseStream, ServerCallContext context)
    {
        state.StreamOpened();
        try
        {
            await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
            {
                await responseStream.WriteAsync(state.Apply(request), context.CancellationToken);
            }
        }
        finally
        {
            state.StreamClosed();
        }
    }
}
