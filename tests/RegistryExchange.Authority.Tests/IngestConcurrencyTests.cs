using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using RegistryExchange.Authority.Tests.Infrastructure;
using W = RegistryExchange.Contracts.V1;

namespace RegistryExchange.Authority.Tests;

/// <summary>Several schools pushing at once through two authority instances on one database.</summary>
public abstract class IngestConcurrencyTests(AuthorityFixture fixture) : AuthorityTestBase(fixture)
{
    [Fact]
    public async Task Concurrent_pushes_through_two_instances_commit_feed_versions_in_order_without_loss()
    {
        const int batches = 6;
        const int batchSize = 25;
        var instances = new[] { Fixture.Factory, Fixture.SecondInstance };
        var schools = Enumerable.Range(0, 4).Select(_ => Fixture.NewSchool()).ToList();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var follower = new W.ChangeFeedService.ChangeFeedServiceClient(Fixture.Channel(AuthorityFixture.FeedKey))
            .SubscribeChanges(new W.SubscribeChangesRequest { Follow = true, MaxEntriesPerResponse = 7 }, cancellationToken: timeout.Token);

        var pushes = schools.Select((school, i) => Task.Run(async () =>
        {
            var results = new List<W.ChangeResult>();
            for (var b = 0; b < batches; b++)
            {
                // Alternate instances, so one school's batches cross instances too.
                var sync = new W.SyncService.SyncServiceClient(Fixture.Channel(instances[(i + b) % 2], school.Key));
                var response = await sync.PushChangesAsync(new W.PushChangesRequest { Changes = { Samples.Creates((ulong)(b * batchSize) + 1, batchSize) } });
                results.AddRange(response.Results);
            }
            return results;
        })).ToList();
        var all = (await Task.WhenAll(pushes)).SelectMany(r => r).ToList();

        Assert.All(all, r => Assert.Equal(W.ChangeOutcome.Accepted, r.Outcome));
        var versions = all.Select(r => r.FeedVersion).Order().ToList();
        Assert.Equal(versions.Distinct().Count(), versions.Count);
        var seen = new List<long>();
        while (seen.LastOrDefault() < versions[^1] && await follower.ResponseStream.MoveNext(timeout.Token))
        {
            seen.AddRange(follower.ResponseStream.Current.Entries.Select(e => e.Version));
        }
        // A follower that never skips: it saw every version, in order, though commits raced across instances.
        Assert.Equal(versions, seen.Where(versions.Contains));
        Assert.Equal(seen.Order(), seen);
        await using var db = Fixture.OpenDb();
        foreach (var school in schools)
        {
            Assert.Equal(batches * batchSize, await db.Students.CountAsync(s => s.OwnerSchoolCode == school.Code));
        }
    }
}

[Trait("Database", "SQLite")]
public sealed class SqliteIngestConcurrencyTests(SqliteFixture fixture) : IngestConcurrencyTests(fixture), IClassFixture<SqliteFixture>;

[Trait("Database", "PostgreSQL")]
public sealed class PostgresIngestConcurrencyTests(PostgresFixture fixture) : IngestConcurrencyTests(fixture), IClassFixture<PostgresFixture>;
