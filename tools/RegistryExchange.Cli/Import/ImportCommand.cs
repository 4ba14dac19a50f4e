using System.CommandLine;
using RegistryExchange.Cli.Commands;
using Spectre.Console;
using W = RegistryExchange.Contracts.V1;

namespace RegistryExchange.Cli.Import;

/// <summary><c>rx students import FILE</c>: sends a CSV or xlsx file to the agent in chunks, with progress and a
/// per-row error report.</summary>
public static class ImportCommand
{
    public static Command Build(RxContext ctx)
    {
        var command = new Command("import", "Import students from a CSV or .xlsx file with one header row (see `rx students import --help`)");
        var file = new Argument<FileInfo>("file") { Description = "CSV (UTF-8 or GB18030) or .xlsx. Columns: " + string.Join(", ", StudentColumns.All.Select(c => c.Name)) };
        var errors = new Option<string>("--errors") { Description = "Also write every row error to this CSV file" };
        var batch = new Option<int>("--batch-size") { Description = "Rows per request to the agent", DefaultValueFactory = _ => 1000 };
        command.Add(file);
        command.Add(errors);
        command.Add(batch);
        command.Run(ctx, async (p, ct) =>
        {
            var path = p.GetValue(file)!;
            if (!path.Exists)
            {
                throw new UsageException($"{path.FullName} does not exist.");
            }
            var batchSize = p.GetValue(batch);
            if (batchSize is < 1 or > 10_000)
            {
                throw new UsageException("--batch-size must be between 1 and 10000.");
            }
            var client = await AgentClient.CreateAsync(ctx, p, ct);
            var report = await new StudentImporter(ctx, client, batchSize).RunAsync(path.FullName, ct);
            var errorFile = p.GetValue(errors);
            if (errorFile is not null)
            {
                report.WriteCsv(errorFile);
            }
            report.Print(ctx.Console, errorFile);
            return report.FailedRows == 0 ? CommandKit.Ok : CommandKit.Failed;
        });
        return command;
    }
}

/// <summary>Reads, converts, sends and reports. Rows that cannot be read are reported without being sent.</summary>
public sealed class StudentImporter(RxContext ctx, W.SchoolRegisterService.SchoolRegisterServiceClient client, int batchSize)
{
    public async Task<ImportReport> RunAsync(string path, CancellationToken ct)
    {
        var (header, rows) = StudentFileReader.Open(path);
        if (header.HeaderByColumn.Count == 0)
        {
            throw new UsageException($"No known column in {Path.GetFileName(path)}; use: {string.Join(", ", StudentColumns.All.Select(c => c.Name))} (or 姓名 性别 民族 出生日期 身份证号 入学日期 年级 班级 学号 …).");
        }
        if (header.Ignored.Count > 0)
        {
            ctx.Console.MarkupLine($"[yellow]Ignoring unknown column(s):[/] {Markup.Escape(string.Join(", ", header.Ignored))}");
        }
        var total = StudentFileReader.Open(path).Rows.Count();
        var report = new ImportReport { Rows = total };
        if (ctx.Interactive)
        {
            await ctx.Console.Progress().StartAsync(async progress =>
            {
                var task = progress.AddTask("Importing", maxValue: Math.Max(1, total));
                await SendAllAsync(header, rows, report, done => task.Value = done, ct);
            });
        }
        else
        {
            await SendAllAsync(header, rows, report, done =>
                ctx.Console.WriteLine($"imported {done}/{total} rows ({report.Created} created, {report.FailedRows} failed)"), ct);
        }
        return report;
    }

    /// <summary>Converts the next chunk while the agent stores the previous one.</summary>
    private async Task SendAllAsync(SourceHeader header, IEnumerable<SourceRow> rows, ImportReport report, Action<int> progressed, CancellationToken ct)
    {
        var done = 0;
        (Task<W.ImportStudentsResponse>? Call, int Rows) pending = (null, 0);
        foreach (var chunk in rows.Chunk(batchSize))
        {
            var request = Convert(header, chunk, report);
            await CompleteAsync(pending.Call);
            done += pending.Rows;
            progressed(done);
            pending = (request.Rows.Count > 0 ? client.ImportStudentsAsync(request, deadline: ctx.Deadline(), cancellationToken: ct).ResponseAsync : null, chunk.Length);
        }
        await CompleteAsync(pending.Call);
        progressed(done + pending.Rows);

        async Task CompleteAsync(Task<W.ImportStudentsResponse>? call)
        {
            if (call is not null)
            {
                Record(header, await call, report);
            }
        }
    }

    private static W.ImportStudentsRequest Convert(SourceHeader header, SourceRow[] chunk, ImportReport report)
    {
        var request = new W.ImportStudentsRequest();
        foreach (var row in chunk)
        {
            var details = new W.StudentDetails();
            var problems = StudentColumns.Apply(details, row.Values);
            if (problems.Count > 0)
            {
                report.Errors.AddRange(problems.Select(x => new RowError(row.RowNumber, HeaderOf(header, x.Column), x.Column, x.Problem)));
                continue;
            }
            StudentColumns.ApplyDefaults(details);
            request.Rows.Add(new W.ImportRow { RowNumber = row.RowNumber, Details = details, LocalId = row.Values.GetValueOrDefault("local_id", "").Trim() });
        }
        return request;
    }

    private static void Record(SourceHeader header, W.ImportStudentsResponse response, ImportReport report)
    {
        foreach (var result in response.Results)
        {
            if (result.Created)
            {
                report.Created++;
                continue;
            }
            foreach (var e in result.Errors)
            {
                var column = StudentColumns.FromField(e.Field);
                report.Errors.Add(new RowError(result.RowNumber, column is null ? e.Field : HeaderOf(header, column.Name), e.Field, e.Description));
            }
        }
    }

    private static string HeaderOf(SourceHeader header, string column) => header.HeaderByColumn.GetValueOrDefault(column, column);
}
