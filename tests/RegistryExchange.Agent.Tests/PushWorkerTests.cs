using RegistryExchange.Agent.Tests.Support;
using W = RegistryExchange.Contracts.V1;

namespace RegistryExchange.Agent.Tests;

/// <summary>The push worker against a scripted authority.</summary>
public sealed class PushWorkerTests : IAsyncLifetime, IDisposable
{
    private readonly TempDirectory _dir = new();
    private FakeAuthority _authority = null!;
    private AgentHost _agent = null!;

    public async Task InitializeAsync()
    {
        _authority = await FakeAuthority.StartAsync();
        _agent = new AgentHost(_dir.File("school.db"), authority: _authority.Address, authorityHandler: _authority.Handler);
    }

    public async Task DisposeAsync()
    {
        await _agent.DisposeAsync();
        await _authority.DisposeAsync();
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_sequence_gap_makes_the_worker_re_read_the_high_water_mark_and_resume_without_skipping()
    {
        var import = new W.ImportStudentsRequest();
        import.Rows.AddRange(Students.Sample(25).Select((s, i) => new W.ImportRow { RowNumber = i + 2, LocalId = s.LocalId, Details = s.Details }));
        var database = _dir.File("offline.db");
        await using (var offline = new AgentHost(database))
        {
            await offline.Client().ImportStudentsAsync(import);
        }
        _authority.State.StaleMarkOnce = 7;

        await using var agent = new AgentHost(database, authority: _authority.Address, authorityHandler: _authority.Handler);
        await Eventually.WaitForAsync(
            () => agent.Client().GetSyncStatusAsync(new W.GetSyncStatusRequest()).ResponseAsync,
            s => s.AuthorityHighWaterMark == 25 && s.PendingChanges == 0, TimeSpan.FromSeconds(30), "delivery after the gap");
        Assert.Equal(1, _authority.State.Gaps);
        Assert.Equal(Enumerable.Range(1, 25).Select(i => (ulong)i), _authority.State.Received);
    }

    [Fact]
    public async Task Changes_committed_while_connected_reach_the_authority_within_seconds()
    {
        var students = Students.Sample(3);
        await _agent.Client().CreateStudentAsync(new W.CreateStudentRequest { LocalId = students[0].LocalId, Details = students[0].Details });
        await Eventually.WaitForAsync(() => Task.FromResult(_authority.State.Applied), a => a == 1, TimeSpan.FromSeconds(30), "the first change");

        var committed = System.Diagnostics.Stopwatch.StartNew();
        await _agent.Client().CreateStudentAsync(new W.CreateStudentRequest { LocalId = students[1].LocalId, Details = students[1].Details });
        await Eventually.WaitForAsync(() => Task.FromResult(_authority.State.Applied), a => a == 2, TimeSpan.FromSeconds(30), "the second change");

        // The commit wakes the worker; the idle poll (5 s) would be too late.
        Assert.True(committed.Elapsed < TimeSpan.FromSeconds(2), $"took {committed.Elapsed}");
    }

    [Fact]
    public async Task An_idle_stream_is_closed_and_the_next_commit_opens_a_new_one()
    {
        await using var agent = new AgentHost(_dir.File("idle.db"), authority: _authority.Address, authorityHandler: _authority.Handler,
            settings: new Dictionary<string, string> { ["Push:IdleStreamTimeout"] = "00:00:00.300" });
        var students = Students.Sample(2);
        await agent.Client().CreateStudentAsync(new W.CreateStudentRequest { LocalId = students[0].LocalId, Details = students[0].Details });
        await Eventually.WaitForAsync(() => Task.FromResult(_authority.State.Applied), a => a == 1, TimeSpan.FromSeconds(30), "the first change");

        await Eventually.WaitForAsync(() => Task.FromResult(_authority.State.OpenStreams), n => n == 0, TimeSpan.FromSeconds(30), "the idle stream to close");
        var opened = _authority.State.StreamsOpened;
        await agent.Client().CreateStudentAsync(new W.CreateStudentRequest { LocalId = students[1].LocalId, Details = students[1].Details });

        await Eventually.WaitForAsync(() => Task.FromResult(_authority.State.Applied), a => a == 2, TimeSpan.FromSeconds(5), "the second change");
        Assert.Equal(opened + 1, _authority.State.StreamsOpened);
    }
}
