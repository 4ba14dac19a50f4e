using System.Diagnostics;
using System.Globalization;
using System.Text;
using RegistryExchange.Contracts.V1;
using RegistryExchange.LocalHosting;
using RegistryExchange.Protocol;
using RegistryExchange.SampleData;

namespace RegistryExchange.Benchmarks;

public sealed record SyncBenchmarkOptions(int Changes, int NaiveChanges, IReadOnlyList<string> Providers, string? Postgres, string? MarkdownPath);

public sealed record SyncResult(
    string Provider, int Changes, double FillPerSecond, double EndToEndPerSecond, double EndToEndSeconds,
    long AgentPeakBytes, long AuthorityPeakBytes, double RawPerSecond, int NaiveChanges, double NaivePerSecond);

/// <summary>
/// Upward sync of N changes (agent outbox → gRPC → authority), with the raw ingest ceiling for the same rows and the
/// naive path (one unary call and one SaveChanges per change) measured in the same run on the same machine.
/// </summary>
public sealed class SyncBenchmark(SyncBenchmarkOptions options)
{
    internal const string Region = "110105";
    internal const int Seed = 42;
    private const int ImportChunk = 5000;

    public async Task<int> RunAsync(CancellationToken ct)
    {
        var results = new List<SyncResult>();
        foreach (var provider in options.Providers)
        {
            Console.WriteLine($"== {provider}: {options.Changes:N0} changes");
            await using var database = await BenchDatabase.CreateAsync(provider, options.Postgres);
            var (fill, e2e, seconds, agentPeak, authorityPeak) = await EndToEndAsync(database, ct);
            Console.WriteLine($"   end to end: {e2e:N0} changes/s ({seconds:N1} s); agent peak {Mb(agentPeak)}, authority peak {Mb(authorityPeak)}");
            var raw = await RawIngest.RunAsync(database, options.Changes, ct);
            Console.WriteLine($"   raw ingest ceiling: {raw:N0} changes/s (same rows, no gRPC, no rules)");
            var naive = await NaivePathAsync(database, ct);
            Console.WriteLine($"   naive path: {naive:N0} changes/s over {options.NaiveChanges:N0} changes");
            results.Add(new SyncResult(provider, options.Changes, fill, e2e, seconds, agentPeak, authorityPeak, raw, options.NaiveChanges, naive));
        }
        var markdown = Report(results);
        Console.WriteLine();
        Console.WriteLine(markdown);
        if (options.MarkdownPath is not null)
        {
            await File.AppendAllTextAsync(options.MarkdownPath, markdown, ct);
        }
        return 0;
    }

    private async Task<(double Fill, double PerSecond, double Seconds, long AgentPeak, long AuthorityPeak)> EndToEndAsync(BenchDatabase database, CancellationToken ct)
    {
        await using var exchange = LocalExchange.Create(new LocalExchangeOptions
        {
            Name = "bench-e2e-" + database.Provider,
            SchoolCount = 1,
            AuthoritySettings = database.AuthoritySettings("e2e"),
            AgentSettings = new Dictionary<string, string> { ["Push:Enabled"] = "false" },
        });
        await exchange.StartAllAsync();
        var school = exchange.Schools[0];

        // Fill the agent's outbox through its own API while pushing is off, so the push is measured alone.
        var fillClock = Stopwatch.StartNew();
        var register = exchange.Register(school);
        foreach (var chunk in Students(options.Changes).Chunk(ImportChunk))
        {
            var request = new ImportStudentsRequest();
            request.Rows.AddRange(chunk.Select((s, i) => new ImportRow { RowNumber = i + 1, LocalId = s.LocalId, Details = s.Details.ToWire() }));
            var response = await register.ImportStudentsAsync(request, deadline: DateTime.UtcNow.AddMinutes(5), cancellationToken: ct);
            var failed = response.Results.FirstOrDefault(r => !r.Created);
            if (failed is not null)
            {
                throw new InvalidOperationException($"row {failed.RowNumber} refused: {failed.Errors}");
            }
        }
        var fill = options.Changes / fillClock.Elapsed.TotalSeconds;
        Console.WriteLine($"   agent local writes (import): {fill:N0} changes/s");
        school.Agent.Kill();

        await using var pushing = school.Agent.With(new Dictionary<string, string> { ["Push:Enabled"] = "true" });
        var sync = exchange.Sync(school);
        var clock = Stopwatch.StartNew();
        await pushing.StartAsync();
        while ((await sync.GetHighWaterMarkAsync(new GetHighWaterMarkRequest(), deadline: DateTime.UtcNow.AddSeconds(30), cancellationToken: ct)).HighWaterMark < (ulong)options.Changes)
        {
            await Task.Delay(50, ct);
        }
        clock.Stop();
        var peaks = (pushing.PeakMemoryBytes(), exchange.Authority.PeakMemoryBytes());
        return (fill, options.Changes / clock.Elapsed.TotalSeconds, clock.Elapsed.TotalSeconds, peaks.Item1, peaks.Item2);
    }

    private async Task<double> NaivePathAsync(BenchDatabase database, CancellationToken ct)
    {
        var settings = new Dictionary<string, string>(database.AuthoritySettings("naive")) { ["Ingest:Mode"] = "PerEntity" };
        await using var exchange = LocalExchange.Create(new LocalExchangeOptions { Name = "bench-naive-" + database.Provider, SchoolCount = 1, AuthoritySettings = settings });
        await exchange.Authority.StartAsync();
        var sync = exchange.Sync(exchange.Schools[0]);
        var sequence = 0UL;
        var clock = Stopwatch.StartNew();
        foreach (var student in Students(options.NaiveChanges))
        {
            var change = new RecordChange
            {
                Sequence = ++sequence,
                StudentLocalId = student.LocalId,
                RecordedAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(DateTime.UtcNow),
                Created = new StudentCreated { Details = student.Details.ToWire() },
            };
            await sync.PushChangesAsync(new PushChangesRequest { Changes = { change } }, deadline: DateTime.UtcNow.AddSeconds(30), cancellationToken: ct);
        }
        return options.NaiveChanges / clock.Elapsed.TotalSeconds;
    }

    internal static IEnumerable<SampleStudent> Students(int count) =>
        new SampleStudents(Seed, Region, new DateOnly(2026, 12, 1), localIdPrefix: "b").Generate(count);

    private static string Mb(long bytes) => (bytes / 1024.0 / 1024.0).ToString("N0", CultureInfo.InvariantCulture) + " MB";

    private static string Report(List<SyncResult> results)
    {
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"### Upward sync, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, {Environment.OSVersion}");
        sb.AppendLine();
        sb.AppendLine("| database | changes | end to end (changes/s) | raw ingest ceiling (changes/s, same rows) | e2e / raw | naive (changes/s) | e2e / naive | agent peak | authority peak | agent local writes (changes/s) |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.Provider} | {r.Changes:N0} | {r.EndToEndPerSecond:N0} ({r.EndToEndSeconds:N1} s) | {r.RawPerSecond:N0} | {r.EndToEndPerSecond / r.RawPerSecond:P0} | {r.NaivePerSecond:N0} ({r.NaiveChanges:N0}) | {r.EndToEndPerSecond / r.NaivePerSecond:N1}× | {Mb(r.AgentPeakBytes)} | {Mb(r.AuthorityPeakBytes)} | {r.FillPerSecond:N0} |");
        }
        sb.AppendLine();
        return sb.ToString();
    }
}
