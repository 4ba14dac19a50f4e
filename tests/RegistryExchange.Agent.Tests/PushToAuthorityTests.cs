using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using RegistryExchange.Agent.Sync;
using RegistryExchange.Agent.Tests.Support;
using W = RegistryExchange.Contracts.V1;

namespace RegistryExchange.Agent.Tests;

/// <summary>The agent's push worker against the real authority.</summary>
public sealed class PushToAuthorityTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _dir = new();
    private readonly List<IDisposable> _hosts = [];

    public void Dispose()
    {
        // Agents first: an authority waits (up to Kestrel's shutdown timeout) for their open push streams.
        foreach (var host in _hosts.OrderBy(h => h is AgentHost ? 0 : 1))
        {
            host.Dispose();
        }
        _dir.Dispose();
    }

    private T Keep<T>(T host) where T : IDisposable
    {
        _hosts.Add(host);
        return host;
    }

    private static Task<W.GetSyncStatusResponse> WaitUntilDeliveredAsync(AgentHost agent, ulong expected) =>
        Eventually.WaitForAsync(
            () => agent.Client().GetSyncStatusAsync(new W.GetSyncStatusRequest()).ResponseAsync,
            s => s.AuthorityHighWaterMark == expected && s.PendingChanges == 0,
            Timeout, $"the authority to acknowledge {expected} changes");

    [Fact]
    public async Task Students_entered_at_the_agent_reach_the_authority_and_their_national_numbers_come_back()
    {
        var authority = Keep(new AuthorityHost(_dir.File("authority.db")));
        var agent = Keep(new AgentHost(_dir.File("school-a.db"), AuthorityHost.SchoolA, authority.Address, AuthorityHost.ClientA, authority.TokenEndpoint, authority.Handler, tokenServer: authority));
        var students = Students.Sample(450);
        var import = new W.ImportStudentsRequest();
        import.Rows.AddRange(students.Skip(1).Select((s, i) => new W.ImportRow { RowNumber = i + 2, LocalId = s.LocalId, Details = s.Details }));

        await agent.Client().CreateStudentAsync(new W.CreateStudentRequest { LocalId = students[0].LocalId, Details = students[0].Details });
        await agent.Client().ImportStudentsAsync(import);
        await agent.Client().ChangeStudentStatusAsync(new W.ChangeStudentStatusRequest
        {
            LocalId = students[0].LocalId,
            Event = new W.StatusChanged { Kind = W.StatusEventKind.Suspend, EffectiveDate = "2026-03-01", Reason = "病休" },
        });

        var status = await WaitUntilDeliveredAsync(agent, 451);
        Assert.Equal(451ul, await authority.HighWaterMarkAsync(AuthorityHost.ClientA));
        Assert.Equal(0ul, status.RejectedChanges);
        Assert.Equal("", status.LastError);
        var numbers = await agent.QueryAsync(db => db.Students.ToDictionaryAsync(s => s.LocalId, s => s.NationalStudentNumber));
        Assert.All(students, s => Assert.Equal(
            s.Details.Basic.IdNumber.Length > 0 ? "G" + s.Details.Basic.IdNumber : numbers[s.LocalId], numbers[s.LocalId]));
        Assert.All(numbers.Values, n => Assert.True(Domain.Codes.NationalStudentNumber.IsWellFormed(n), n));
        // Learning a national number is not a local change.
        Assert.Equal(451, (await agent.OutboxAsync()).Count);

        // Later changes carry the number the authority assigned, and it accepts them.
        var withoutId = students.First(s => s.Details.Basic.IdNumber.Length == 0);
        await agent.Client().UpdateStudentAsync(new W.UpdateStudentRequest { LocalId = withoutId.LocalId, Details = withoutId.Details });
        var after = await WaitUntilDeliveredAsync(agent, 452);
        Assert.Equal(0ul, after.RejectedChanges);
        var update = W.RecordChange.Parser.ParseFrom((await agent.OutboxAsync())[^1].Payload);
        Assert.Equal(numbers[withoutId.LocalId], update.NationalStudentNumber);
    }

    [Fact]
    public async Task A_change_the_authority_rejects_is_recorded_at_the_school_and_listed()
    {
        var authority = Keep(new AuthorityHost(_dir.File("authority.db")));
        var agentA = Keep(new AgentHost(_dir.File("school-a.db"), AuthorityHost.SchoolA, authority.Address, AuthorityHost.ClientA, authority.TokenEndpoint, authority.Handler, tokenServer: authority));
        var agentB = Keep(new AgentHost(_dir.File("school-b.db"), AuthorityHost.SchoolB, authority.Address, AuthorityHost.ClientB, authority.TokenEndpoint, authority.Handler, tokenServer: authority));
        var student = Students.Sample(1)[0];
        await agentA.Client().CreateStudentAsync(new W.CreateStudentRequest { LocalId = "a-1", Details = student.Details });
        await WaitUntilDeliveredAsync(agentA, 1);

        await agentB.Client().CreateStudentAsync(new W.CreateStudentRequest { LocalId = "b-1", Details = student.Details });

        var status = await WaitUntilDeliveredAsync(agentB, 1);
        Assert.Equal(1ul, status.RejectedChanges);
        var rejection = Assert.Single((await agentB.Client().ListPushRejectionsAsync(new W.ListPushRejectionsRequest())).RejectedChanges);
        Assert.Equal(1ul, rejection.Sequence);
        Assert.Equal("b-1", rejection.StudentLocalId);
        Assert.Equal(W.RejectionReason.DuplicateIdNumber, rejection.Result.RejectionReason);
        Assert.NotEmpty(rejection.Result.Message);
        Assert.Equal("", await agentB.QueryAsync(db => db.Students.Select(s => s.NationalStudentNumber).SingleAsync()));
    }

    [Fact]
    public async Task Recording_the_same_results_twice_leaves_one_rejection_and_the_first_national_number()
    {
        var agent = Keep(new AgentHost(_dir.File("school.db")));
        var students = Students.Sample(2);
        foreach (var s in students)
        {
            await agent.Client().CreateStudentAsync(new W.CreateStudentRequest { LocalId = s.LocalId, Details = s.Details });
        }
        var localIds = new Dictionary<long, string> { [1] = students[0].LocalId, [2] = students[1].LocalId };
        var response = new W.StreamChangesResponse
        {
            HighWaterMark = 2,
            Results =
            {
                new W.ChangeResult { Sequence = 1, Outcome = W.ChangeOutcome.Accepted, NationalStudentNumber = "G" + students[0].Details.Basic.IdNumber },
                new W.ChangeResult { Sequence = 2, Outcome = W.ChangeOutcome.Rejected, RejectionReason = W.RejectionReason.Conflict, Message = "conflict" },
            },
        };
        var results = agent.Services.GetRequiredService<PushResults>();

        await results.ApplyAsync(localIds, response, CancellationToken.None);
        await results.ApplyAsync(localIds, response, CancellationToken.None);

        Assert.Equal(1, await agent.QueryAsync(db => db.PushRejections.CountAsync()));
        Assert.Equal("G" + students[0].Details.Basic.IdNumber,
            await agent.QueryAsync(db => db.Students.Where(s => s.LocalId == students[0].LocalId).Select(s => s.NationalStudentNumber).SingleAsync()));
        Assert.Equal(2, (await agent.OutboxAsync()).Count);
    }

    [Fact]
    public async Task An_unreachable_authority_is_retried_with_backoff_and_receives_everything_once_it_is_up()
    {
        var port = AuthorityHost.FreePort();
        var address = new Uri($"http://127.0.0.1:{port}");
        var authority = Keep(new AuthorityHost(_dir.File("authority.db"), port));
        // The local API trusts the shared token server, which is up: staff keep writing while the push target is down.
        var agent = Keep(new AgentHost(_dir.File("school-a.db"), AuthorityHost.SchoolA, address, AuthorityHost.ClientA, authority.TokenEndpoint));
        foreach (var s in Students.Sample(30))
        {
            await agent.Client().CreateStudentAsync(new W.CreateStudentRequest { LocalId = s.LocalId, Details = s.Details });
        }
        var failing = await Eventually.WaitForAsync(
            () => agent.Client().GetSyncStatusAsync(new W.GetSyncStatusRequest()).ResponseAsync,
            s => s.LastError.Length > 0, Timeout, "the agent to record a failed push");
        Assert.Equal(30ul, failing.PendingChanges);

        authority.StartServer();

        var delivered = await WaitUntilDeliveredAsync(agent, 30);
        Assert.Equal(30ul, await authority.HighWaterMarkAsync(AuthorityHost.ClientA));
        Assert.Equal("", delivered.LastError);
    }

    [Fact]
    public async Task The_agent_keeps_pushing_across_several_short_token_lifetimes_and_no_batch_fails()
    {
        var authority = Keep(new AuthorityHost(_dir.File("authority.db"), settings: new Dictionary<string, string>
        {
            ["Identity:AccessTokenLifetime"] = "00:00:05",
        }));
        var agent = Keep(new AgentHost(_dir.File("school-a.db"), AuthorityHost.SchoolA, authority.Address, AuthorityHost.ClientA, authority.TokenEndpoint, authority.Handler,
            settings: new Dictionary<string, string> { ["Push:BatchSize"] = "20", ["Push:MaxInFlightBatches"] = "2" }, tokenServer: authority));
        var tokens = agent.Services.GetRequiredService<ClientCredentialsTokenSource>();
        var students = Students.Sample(400);

        // Staff keep entering students until the agent has gone through four tokens; every status seen on the way is clean.
        var entered = 0;
        var seen = new List<W.GetSyncStatusResponse>();
        while (tokens.Requests < 4 || entered < 40)
        {
            Assert.True(entered < students.Count, $"only {tokens.Requests} tokens after {entered} students");
            var (localId, details) = students[entered++];
            await agent.Client().CreateStudentAsync(new W.CreateStudentRequest { LocalId = localId, Details = details });
            seen.Add(await agent.Client().GetSyncStatusAsync(new W.GetSyncStatusRequest()));
            await Task.Delay(100);
        }

        var done = await WaitUntilDeliveredAsync(agent, (ulong)entered);
        Assert.All(seen.Append(done), s => Assert.Equal("", s.LastError));
        Assert.Equal((ulong)entered, await authority.HighWaterMarkAsync(AuthorityHost.ClientA));
        Assert.Empty(agent.Log.Warnings("PushWorker"));
        Assert.Equal(0ul, done.RejectedChanges);
    }

    [Fact]
    public async Task A_wrong_secret_is_reported_in_the_sync_status_and_pushing_recovers_once_it_is_fixed()
    {
        var authority = Keep(new AuthorityHost(_dir.File("authority.db")));
        const string wrongSecret = "agent-a-secret-that-is-wrong";
        var database = _dir.File("school-a.db");
        var misconfigured = new AgentHost(database, AuthorityHost.SchoolA, authority.Address, AuthorityHost.ClientA with { ClientSecret = wrongSecret },
            authority.TokenEndpoint, authority.Handler, tokenServer: authority);
        foreach (var s in Students.Sample(5))
        {
            await misconfigured.Client().CreateStudentAsync(new W.CreateStudentRequest { LocalId = s.LocalId, Details = s.Details });
        }

        var failing = await Eventually.WaitForAsync(
            () => misconfigured.Client().GetSyncStatusAsync(new W.GetSyncStatusRequest()).ResponseAsync,
            s => s.LastError.Length > 0, Timeout, "the agent to record the refused secret");
        Assert.Contains("invalid_client", failing.LastError, StringComparison.Ordinal);
        Assert.Contains("'agent-a'", failing.LastError, StringComparison.Ordinal);
        Assert.Contains("Authority:ClientSecret", failing.LastError, StringComparison.Ordinal);
        Assert.DoesNotContain(wrongSecret, failing.LastError, StringComparison.Ordinal);
        Assert.Equal(5ul, failing.PendingChanges);
        Assert.All(misconfigured.Log.All, line => Assert.DoesNotContain(wrongSecret, line, StringComparison.Ordinal));
        await misconfigured.DisposeAsync();

        // The operator fixes Authority:ClientSecret and restarts the agent on the same register.
        var fixedAgent = Keep(new AgentHost(database, AuthorityHost.SchoolA, authority.Address, AuthorityHost.ClientA, authority.TokenEndpoint, authority.Handler, tokenServer: authority));
        var delivered = await WaitUntilDeliveredAsync(fixedAgent, 5);
        Assert.Equal("", delivered.LastError);
        Assert.Equal(5ul, await authority.HighWaterMarkAsync(AuthorityHost.ClientA));
    }

    [Fact]
    public async Task An_agent_of_one_school_cannot_push_as_another_whatever_its_configured_school_code()
    {
        var authority = Keep(new AuthorityHost(_dir.File("authority.db")));
        // Configured as school B but holding school A's credentials: the token says A, so A's mark moves, not B's.
        var agent = Keep(new AgentHost(_dir.File("school-b.db"), AuthorityHost.SchoolB, authority.Address, AuthorityHost.ClientA, authority.TokenEndpoint, authority.Handler, tokenServer: authority));
        var s = Students.Sample(1)[0];
        await agent.Client().CreateStudentAsync(new W.CreateStudentRequest { LocalId = s.LocalId, Details = s.Details });

        await WaitUntilDeliveredAsync(agent, 1);
        Assert.Equal(1ul, await authority.HighWaterMarkAsync(AuthorityHost.ClientA));
        Assert.Equal(0ul, await authority.HighWaterMarkAsync(AuthorityHost.ClientB));
    }
}
