using Grpc.Core;
using RegistryExchange.Authority.Tests.Infrastructure;
using W = RegistryExchange.Contracts.V1;

namespace RegistryExchange.Authority.Tests;

public abstract class ChangeFeedTests(AuthorityFixture fixture) : AuthorityTestBase(fixture)
{
    private W.ChangeFeedService.ChangeFeedServiceClient Feed(string key = AuthorityFixture.FeedKey) => new(Fixture.Channel(key));

    private async Task<List<W.SubscribeChangesResponse>> ReadAllAsync(W.SubscribeChangesRequest request, string key = AuthorityFixture.FeedKey)
    {
        using var call = Feed(key).SubscribeChanges(request);
        var responses = new List<W.SubscribeChangesResponse>();
        await foreach (var response in call.ResponseStream.ReadAllAsync())
        {
            responses.Add(response);
        }
        return responses;
    }

    private async Task<long> HeadAsync() => (await ReadAllAsync(new W.SubscribeChangesRequest { AfterVersion = long.MaxValue - 1 }))[0].HeadVersion;

    [Fact]
    public async Task The_feed_delivers_applied_changes_in_order_and_a_subscriber_resumes_from_its_last_version()
    {
        var a = Fixture.NewSchool();
        var b = Fixture.NewSchool();
        var start = await HeadAsync();
        var pushedA = await PushAsync(a, Samples.Creates(1, 6, "a"));
        var pushedB = await PushAsync(b, Samples.Create(1, "b1"), Samples.Update(2, "nobody", Samples.Details()), Samples.Status(3, "b1", W.StatusEventKind.Withdraw));
        var pushedA2 = await PushAsync(a, Samples.Creates(7, 3, "a"));
        var accepted = pushedA.Results.Concat(pushedB.Results).Concat(pushedA2.Results).Where(r => r.Outcome == W.ChangeOutcome.Accepted).ToList();

        var pages = await ReadAllAsync(new W.SubscribeChangesRequest { AfterVersion = start, MaxEntriesPerResponse = 4 });
        var entries = pages.SelectMany(p => p.Entries).ToList();

        Assert.Equal(accepted.Select(r => r.FeedVersion), entries.Select(e => e.Version));
        Assert.All(pages, p => Assert.True(p.Entries.Count <= 4));
        Assert.Equal(entries[^1].Version, pages[^1].HeadVersion);
        Assert.Equal(accepted.Select(r => r.NationalStudentNumber), entries.Select(e => e.NationalStudentNumber));
        Assert.Equal(accepted.Select(r => r.NationalStudentNumber), entries.Select(e => e.Change.NationalStudentNumber));
        var withdrawal = Assert.Single(entries, e => e.Kind == W.FeedEntryKind.StatusChanged);
        Assert.True(withdrawal.RecordEnded);
        Assert.Equal(W.StudentStatus.Withdrawn, withdrawal.StatusAfter);
        Assert.Equal(2, withdrawal.RecordVersion);
        Assert.All(entries.Where(e => e != withdrawal), e => Assert.False(e.RecordEnded));

        var resumeAfter = entries[4].Version;
        var resumed = (await ReadAllAsync(new W.SubscribeChangesRequest { AfterVersion = resumeAfter })).SelectMany(p => p.Entries).ToList();
        Assert.Equal(entries.Skip(5).Select(e => e.ToString()), resumed.Select(e => e.ToString()));
    }

    [Fact]
    public async Task Follow_mode_delivers_a_change_committed_after_subscribing()
    {
        var school = Fixture.NewSchool();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var head = await HeadAsync();
        using var call = Feed(AuthorityFixture.StaffKey).SubscribeChanges(
            new W.SubscribeChangesRequest { AfterVersion = head, Follow = true }, cancellationToken: timeout.Token);
        Assert.True(await call.ResponseStream.MoveNext(timeout.Token));
        Assert.Empty(call.ResponseStream.Current.Entries);

        var pushed = await PushAsync(school, Samples.Create(1, "late"));

        Assert.True(await call.ResponseStream.MoveNext(timeout.Token));
        var entry = Assert.Single(call.ResponseStream.Current.Entries);
        Assert.Equal(pushed.Results[0].FeedVersion, entry.Version);
        Assert.Equal("late", entry.Change.StudentLocalId);
        Assert.Equal(W.FeedEntryKind.Created, entry.Kind);
    }

    [Fact]
    public async Task Schools_may_not_read_the_feed()
    {
        var school = Fixture.NewSchool();

        await Rpc.FailsAsync(StatusCode.PermissionDenied, () => ReadAllAsync(new W.SubscribeChangesRequest(), school.Key));
    }
}

[Trait("Database", "SQLite")]
public sealed class SqliteChangeFeedTests(SqliteFixture fixture) : ChangeFeedTests(fixture), IClassFixture<SqliteFixture>;

[Trait("Database", "PostgreSQL")]
public sealed class PostgresChangeFeedTests(PostgresFixture fixture) : ChangeFeedTests(fixture), IClassFixture<PostgresFixture>;
