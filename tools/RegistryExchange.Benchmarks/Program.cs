using System.CommandLine;
using RegistryExchange.Benchmarks;

var changes = new Option<int>("--changes") { Description = "Changes to push end to end", DefaultValueFactory = _ => 1_000_000 };
var naive = new Option<int>("--naive-changes") { Description = "Changes for the naive baseline (one unary call and one SaveChanges each)", DefaultValueFactory = _ => 20_000 };
var providers = new Option<string>("--providers") { Description = "sqlite, postgres or sqlite,postgres", DefaultValueFactory = _ => "sqlite,postgres" };
var postgres = new Option<string?>("--postgres") { Description = "PostgreSQL server connection string (default: env RX_TEST_POSTGRES)" };
var output = new Option<string?>("--markdown") { Description = "Append the results as a markdown section to this file" };

var sync = new Command("sync", "Upward sync: agent outbox → gRPC → authority, against raw ingest and the naive path")
{
    changes, naive, providers, postgres, output,
};
sync.SetAction((parse, ct) => new SyncBenchmark(new SyncBenchmarkOptions(
    parse.GetValue(changes),
    parse.GetValue(naive),
    parse.GetValue(providers)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
    parse.GetValue(postgres) ?? Environment.GetEnvironmentVariable("RX_TEST_POSTGRES"),
    parse.GetValue(output))).RunAsync(ct));

var root = new RootCommand("RegistryExchange benchmarks") { sync };
return await root.Parse(args).InvokeAsync();
