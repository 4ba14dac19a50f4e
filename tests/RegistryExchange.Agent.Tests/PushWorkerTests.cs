using Microsoft.EntityFrameworkCore;
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
        var students = Students.Sample(20);
        W.ImportStudentsRequest Import(IEnumerable<(string LocalId, W.StudentDetails Details)> rows)
        {
            var request = new W.ImportStudentsRequest();
            request.Rows.AddRange(rows.Select((s, i) => new W.ImportRow { RowNumber = i + 2, LocalId = s.LocalId, Details = s.Details }));
            return request;
        }
        await using var agent = new AgentHost(_dir.File("gap.db"), authority: _authority.Address, authorityHandler: _authority.Handler);
        await agent.Client().ImportStudentsAsync(Import(students.Take(10)));
        await Eventually.WaitForAsync(() => Task.FromResult(_authority.State.Applied), a => a == 10, TimeSpan.FromSeconds(30), "the first ten");

        // The authority is restored from a backup that ends at 4: the agent's next batch (11..) no longer follows on.
        _authority.State.AlreadyApplied(4);
        await agent.Client().ImportStudentsAsync(Import(students.Skip(10)));

        await Eventually.WaitForAsync(
            () => agent.Client().GetSyncStatusAsync(new W.GetSyncStatusRequest()).ResponseAsync,
            s => s.AuthorityHighWaterMark == 20 && s.PendingChanges == 0, TimeSpan.FromSeconds(30), "delivery after the gap");
        Assert.Equal(1, _authority.State.Gaps);
        Assert.Equal(Enumerable.Range(1, 10).Concat(Enumerable.Range(5, 16)).Select(i => (ulong)i), _authority.State.Received);
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

    [Fact]
    public async Task Results_lost_in_a_crash_after_the_authority_applied_are_fetched_again_by_replaying()
    {
        var students = Students.Sample(5);
        var import = new W.ImportStudentsRequest();
        import.Rows.AddRange(students.Select((s, i) => new W.ImportRow { RowNumber = i + 2, LocalId = s.LocalId, Details = s.Details }));
        var database = _dir.File("crashed.db");
        await using (var offline = new AgentHost(database))
        {
            await offline.Client().ImportStudentsAsync(import);
        }
        _authority.State.AlreadyApplied(5);

        await using var agent = new AgentHost(database, authority: _authority.Address, authorityHandler: _authority.Handler);
        var numbers = await Eventually.WaitForAsync(
            () => agent.QueryAsync(db => db.Students.Select(s => s.NationalStudentNumber).ToListAsync()),
            n => n.All(x => x.Length > 0), TimeSpan.FromSeconds(30), "national numbers from the replayed results");

        Assert.Empty(_authority.State.Received);
        Assert.Equal(students.Select(s => "G" + s.Details.Basic.IdNumber).Order(), numbers.Order());
    }

    [Fact]
    public async Task A_token_refused_mid_stream_is_renewed_and_the_push_resumes_without_losing_or_doubling_a_change()
    {
        var students = Students.Sample(1000);
        var import = new W.ImportStudentsRequest();
        import.Rows.AddRange(students.Select((s, i) => new W.ImportRow { RowNumber = i + 2, LocalId = s.LocalId, Details = s.Details }));
        var database = _dir.File("revoked.db");
        await using (var offline = new AgentHost(database))
        {
            await offline.Client().ImportStudentsAsync(import);
        }
        // The authority refuses the stream's token after three batches (of 200), with more in flight.
        _authority.State.RevokeTokenAfterBatches = 3;

        await using var agent = new AgentHost(database, authority: _authority.Address, authorityHandler: _authority.Handler);
        var status = await Eventually.WaitForAsync(
            () => agent.Client().GetSyncStatusAsync(new W.GetSyncStatusRequest()).ResponseAsync,
            s => s.AuthorityHighWaterMark == 1000 && s.PendingChanges == 0, TimeSpan.FromSeconds(30), "delivery after the refused token");

        Assert.Equal(1, _authority.State.TokensRevokedMidStream);
        Assert.Equal(2, _authority.State.TokensIssued);
        Assert.Equal(Enumerable.Range(1, 1000).Select(i => (ulong)i), _authority.State.Received);
        Assert.Equal("", status.LastError);
        var numbers = await agent.QueryAsync(db => db.Students.Select(s => s.NationalStudentNumber).ToListAsync());
        Assert.Equal(students.Select(s => "G" + s.Details.Basic.IdNumber).Order(), numbers.Order());
        // Renewed at once: no backoff, no failure reported.
        Assert.DoesNotContain(agent.Log.Warnings("PushWorker"), m => m.Contains("failed", StringComparison.Ordinal));
        Assert.Single(agent.Log.Warnings("PushWorker"), m => m.Contains("refused the access token", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Streams_end_before_their_token_is_due_and_the_next_one_carries_a_new_token()
    {
        // Two-second tokens are renewed after one: the agent must close each stream in time and open the next.
        _authority.State.TokenLifetimeSeconds = 2;
        await using var agent = new AgentHost(_dir.File("rotating.db"), authority: _authority.Address, authorityHandler: _authority.Handler);
        var students = Students.Sample(60);
        var i = 0;
        while (_authority.State.TokensIssued < 4)
        {
            Assert.True(i < students.Count, $"only {_authority.State.TokensIssued} tokens after {i} students");
            await agent.Client().CreateStudentAsync(new W.CreateStudentRequest { LocalId = students[i].LocalId, Details = students[i].Details });
            i++;
            await Task.Delay(100);
        }

        await Eventually.WaitForAsync(() => Task.FromResult(_authority.State.Applied), a => a == i, TimeSpan.FromSeconds(30), "every change");
        Assert.True(_authority.State.StreamsOpened >= 4, $"{_authority.State.StreamsOpened} streams");
        Assert.Empty(agent.Log.Warnings("PushWorker"));
    }
}
