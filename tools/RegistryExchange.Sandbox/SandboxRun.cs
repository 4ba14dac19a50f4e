using System.Globalization;
using Grpc.Core;
using RegistryExchange.Contracts.V1;
using RegistryExchange.LocalHosting;
using RegistryExchange.Protocol;
using RegistryExchange.SampleData;
using Spectre.Console;

namespace RegistryExchange.Sandbox;

public sealed record SandboxOptions(int StudentsPerSchool, int Schools, string Directory, int AuthorityPort, int AuthorityWebPort, int FirstAgentPort, bool ExitWhenReady);

/// <summary>Starts the exchange, loads sample students through each agent's own API, waits until the authority has
/// them, prints what to try next and keeps running until Ctrl+C.</summary>
public sealed class SandboxRun(SandboxOptions options)
{
    private const int ImportChunk = 500;

    public async Task<int> RunAsync(CancellationToken cancellation)
    {
        if (System.IO.Directory.Exists(options.Directory))
        {
            System.IO.Directory.Delete(options.Directory, recursive: true);
        }
        await using var exchange = LocalExchange.Create(new LocalExchangeOptions
        {
            Name = "sandbox",
            WorkDirectory = options.Directory,
            SchoolCount = options.Schools,
            AuthorityPort = options.AuthorityPort,
            AuthorityWebPort = options.AuthorityWebPort,
            FirstAgentPort = options.FirstAgentPort,
        });
        try
        {
            await AnsiConsole.Status().StartAsync("Starting the authority and school agents…", async _ => await exchange.StartAllAsync());
            await LoadSampleStudentsAsync(exchange, cancellation);
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or RpcException)
        {
            AnsiConsole.MarkupLineInterpolated(CultureInfo.InvariantCulture, $"[red]The sandbox could not start:[/] {e.Message}");
            AnsiConsole.MarkupLineInterpolated(CultureInfo.InvariantCulture, $"Logs are in {options.Directory}");
            return 1;
        }
        PrintWhatToTry(exchange);
        if (options.ExitWhenReady)
        {
            return 0;
        }
        AnsiConsole.MarkupLine("[grey]Running. Press Ctrl+C to stop.[/]");
        try
        {
            await Task.Delay(Timeout.Infinite, cancellation);
        }
        catch (OperationCanceledException)
        {
            AnsiConsole.MarkupLine("Stopping…");
        }
        return 0;
    }

    private async Task LoadSampleStudentsAsync(LocalExchange exchange, CancellationToken cancellation)
    {
        var today = DateOnly.FromDateTime(DateTime.Today);
        await AnsiConsole.Progress().StartAsync(async progress =>
        {
            var tasks = exchange.Schools.Select((school, i) => (school, task: progress.AddTask($"{school.Name}: import", maxValue: options.StudentsPerSchool))).ToList();
            for (var i = 0; i < tasks.Count; i++)
            {
                var (school, task) = tasks[i];
                var register = exchange.Register(school);
                var generator = new SampleStudents(seed: i + 1, school.RegionCode, today, localIdPrefix: "s" + (i + 1));
                foreach (var chunk in generator.Generate(options.StudentsPerSchool).Chunk(ImportChunk))
                {
                    var request = new ImportStudentsRequest();
                    request.Rows.AddRange(chunk.Select((s, row) => new ImportRow { RowNumber = row + 1, LocalId = s.LocalId, Details = s.Details.ToWire() }));
                    var response = await register.ImportStudentsAsync(request, deadline: DateTime.UtcNow.AddMinutes(2), cancellationToken: cancellation);
                    var failed = response.Results.FirstOrDefault(r => !r.Created);
                    if (failed is not null)
                    {
                        throw new InvalidOperationException($"sample row {failed.RowNumber} was refused: {string.Join("; ", failed.Errors)}");
                    }
                    task.Increment(chunk.Length);
                }
            }
        });
        await AnsiConsole.Status().StartAsync("Waiting for the authority to apply every change…", async _ =>
        {
            foreach (var school in exchange.Schools)
            {
                await exchange.WaitUntilSyncedAsync(school, TimeSpan.FromMinutes(5));
            }
        });
    }

    private void PrintWhatToTry(LocalExchange exchange)
    {
        var table = new Table().AddColumns("Process", "gRPC endpoint", "OAuth client");
        table.AddRow("authority", exchange.Authority.Address.ToString(), Markup.Escape(exchange.Staff.ClientId) + " (staff, for rx)");
        foreach (var s in exchange.Schools)
        {
            table.AddRow($"agent of {s.Code} {s.Name}", s.Agent.Address.ToString(), Markup.Escape(s.Client.ClientId));
        }
        AnsiConsole.Write(table);
        var first = exchange.Schools[0];
        var agent = first.Agent.Address.ToString().TrimEnd('/');
        var authority = exchange.Authority.Address.ToString().TrimEnd('/');
        // Plain lines past Spectre.Console from here on: addresses and secrets are copied, so they must never wrap.
        var output = System.Console.Out;
        output.WriteLine($"Token endpoint (OAuth 2.0 client credentials): {exchange.TokenEndpoint}");
        output.WriteLine($"Staff client: {exchange.Staff.ClientId}  secret: {exchange.Staff.ClientSecret}");
        output.Flush();
        AnsiConsole.MarkupLineInterpolated(CultureInfo.InvariantCulture, $"Databases (SQLite), signing keys and logs: {options.Directory}");
        AnsiConsole.MarkupLineInterpolated(CultureInfo.InvariantCulture, $"[green]Ready:[/] {options.StudentsPerSchool} students per school are registered at the authority with national numbers.");
        AnsiConsole.WriteLine();
        AnsiConsole.MarkupLine("[bold]Try next[/] (in another terminal; logs are in the folder above). As authority staff:");
        output.WriteLine($"  export RX_AUTHORITY={authority} RX_TOKEN_ENDPOINT={exchange.TokenEndpoint}");
        output.WriteLine($"  export RX_CLIENT_ID={exchange.Staff.ClientId} RX_CLIENT_SECRET={exchange.Staff.ClientSecret}");
        output.WriteLine("  dotnet run --project tools/RegistryExchange.Cli -- clients list");
        output.WriteLine("  dotnet run --project tools/RegistryExchange.Cli -- feed --from 0");
        output.Flush();
        // An agent's local API accepts only tokens of its own school's clients: school commands use the school's client.
        AnsiConsole.MarkupLineInterpolated(CultureInfo.InvariantCulture, $"As staff of school {first.Code} (its agent accepts only that school's clients):");
        output.WriteLine($"  export RX_AGENT={agent} RX_CLIENT_ID={first.Client.ClientId} RX_CLIENT_SECRET={first.Client.ClientSecret}");
        output.WriteLine("  dotnet run --project tools/RegistryExchange.Cli -- students list");
        output.WriteLine("  dotnet run --project tools/RegistryExchange.Cli -- students status s1-1-0000001 --kind suspend --date 2026-12-01 --reason 因病休学");
        output.WriteLine("  dotnet run --project tools/RegistryExchange.Cli -- sync status");
        output.WriteLine("  dotnet run --project tools/RegistryExchange.Cli -- authority hwm");
        foreach (var other in exchange.Schools.Skip(1))
        {
            output.WriteLine($"As staff of school {other.Code}:");
            output.WriteLine($"  export RX_AGENT={other.Agent.Address.ToString().TrimEnd('/')} RX_CLIENT_ID={other.Client.ClientId} RX_CLIENT_SECRET={other.Client.ClientSecret}");
        }
        output.Flush();
    }
}
