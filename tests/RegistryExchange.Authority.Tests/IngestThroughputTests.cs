using System.Diagnostics;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using RegistryExchange.Authority.Tests.Infrastructure;
using Xunit.Abstractions;
using W = RegistryExchange.Contracts.V1;

namespace RegistryExchange.Authority.Tests;

/// <summary>
/// A rough rate for the ingest: new students pushed in large batches through the in-process host (gRPC, validation,
/// domain, writer). It checks the result and prints the rate; the benchmark in tools/ is the measurement of record.
/// </summary>
public abstract class IngestThroughputTests(AuthorityFixture fixture, ITestOutputHelper output) : AuthorityTestBase(fixture)
{
    protected abstract int Changes { get; }

    [Fact]
    public async Task Many_new_students_and_their_updates_are_ingested_completely_and_the_rate_is_reported()
    {
        const int batchSize = 2000;
        var school = Fixture.NewSchool();
        var creates = Samples.Creates(1, Changes, "bulk");
        var updates = creates.Select((c, i) => Samples.Update((ulong)(Changes + i + 1), c.StudentLocalId, c.Created.Details.Clone())).ToList();
        var batches = creates.Concat(updates).Chunk(batchSize).ToList();
        // Warm up JIT tiers and connection pools on another school, as a long-running server would be.
        var warmUp = Fixture.NewSchool();
        for (var i = 0; i < 3; i++)
        {
            await PushAsync(warmUp, Samples.Creates((ulong)(i * batchSize) + 1, batchSize, "warm-up"));
        }

        // As the agent pushes: one stream, the next batch sent while the previous one applies.
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        using var call = Sync(school).StreamChanges();
        var sending = Task.Run(async () =>
        {
            foreach (var batch in batches)
            {
                await call.RequestStream.WriteAsync(new W.StreamChangesRequest { Changes = { batch } });
            }
            await call.RequestStream.CompleteAsync();
        });
        var accepted = 0;
        await foreach (var response in call.ResponseStream.ReadAllAsync())
        {
            accepted += response.Results.Count(r => r.Outcome == W.ChangeOutcome.Accepted);
        }
        await sending;
        clock.Stop();
        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;

        Assert.Equal(2 * Changes, accepted);
        await using var db = Fixture.OpenDb();
        Assert.Equal(Changes, await db.Students.CountAsync(s => s.OwnerSchoolCode == school.Code && s.Version == 2));
        var rate = 2 * Changes / clock.Elapsed.TotalSeconds;
        output.WriteLine($"{Fixture.Provider} {Fixture.IngestMode}: {2 * Changes} changes ({Changes} creates, {Changes} updates) " +
            $"in {clock.Elapsed.TotalSeconds:F2} s = {rate:F0} changes/s; this process (client and server) used " +
            $"{cpu.TotalMicroseconds / (2 * Changes):F0} µs CPU per change");
    }
}

[Trait("Database", "SQLite")]
public sealed class SqliteIngestThroughputTests(SqliteFixture fixture, ITestOutputHelper output)
    : IngestThroughputTests(fixture, output), IClassFixture<SqliteFixture>
{
    protected override int Changes => 10_000;
}

[Trait("Database", "PostgreSQL")]
public sealed class PostgresIngestThroughputTests(PostgresFixture fixture, ITestOutputHelper output)
    : IngestThroughputTests(fixture, output), IClassFixture<PostgresFixture>
{
    protected override int Changes => 10_000;
}

[Trait("Database", "SQLite")]
[Trait("Ingest", "PerEntity")]
public sealed class SqlitePerEntityIngestThroughputTests(SqlitePerEntityFixture fixture, ITestOutputHelper output)
    : IngestThroughputTests(fixture, output), IClassFixture<SqlitePerEntityFixture>
{
    protected override int Changes => 2_000;
}

[Trait("Database", "PostgreSQL")]
[Trait("Ingest", "PerEntity")]
public sealed class PostgresPerEntityIngestThroughputTests(PostgresPerEntityFixture fixture, ITestOutputHelper output)
    : IngestThroughputTests(fixture, output), IClassFixture<PostgresPerEntityFixture>
{
    protected override int Changes => 2_000;
}
