using System.CommandLine;
using CsvHelper;
using MiniExcelLibs;
using RegistryExchange.Cli.Commands;
using RegistryExchange.Cli.Import;
using RegistryExchange.SampleData;
using Spectre.Console;

namespace RegistryExchange.Cli.Sample;

/// <summary><c>rx sample students</c>: a valid synthetic import file.</summary>
public static class SampleCommand
{
    public static Command Build(RxContext ctx)
    {
        var sample = new Command("sample", "Generate synthetic data");
        var students = new Command("students", "Write valid synthetic students to a CSV or .xlsx import file");
        var count = new Option<int>("--count") { Description = "How many students", DefaultValueFactory = _ => 100 };
        var output = new Option<FileInfo>("--out") { Description = "The file to write (.csv or .xlsx)", Required = true };
        var seed = new Option<int>("--seed") { Description = "Same seed, same students", DefaultValueFactory = _ => 1 };
        var region = new Option<string>("--region") { Description = "GB/T 2260 region code of ID numbers and addresses; give each school its own", DefaultValueFactory = _ => "110105" };
        var prefix = new Option<string>("--prefix") { Description = "Local id prefix: PREFIX-SEED-NNNNNNN", DefaultValueFactory = _ => "stu" };
        students.Add(count);
        students.Add(output);
        students.Add(seed);
        students.Add(region);
        students.Add(prefix);
        students.Run(ctx, (p, _) =>
        {
            var n = p.GetValue(count);
            if (n < 1)
            {
                throw new UsageException("--count must be at least 1.");
            }
            SampleStudents generator;
            try
            {
                generator = new SampleStudents(p.GetValue(seed), p.GetValue(region)!, DateOnly.FromDateTime(ctx.Time.GetLocalNow().DateTime), p.GetValue(prefix)!);
            }
            catch (ArgumentException e)
            {
                throw new UsageException(e.Message);
            }
            var file = p.GetValue(output)!;
            var rows = generator.Generate(n).Select(s => StudentColumns.ToValues(s.LocalId, s.Details));
            if (file.Extension.Equals(".xlsx", StringComparison.OrdinalIgnoreCase))
            {
                MiniExcel.SaveAs(file.FullName, rows.Select(r => r.ToDictionary(kv => kv.Key, kv => (object)kv.Value)), overwriteFile: true);
            }
            else
            {
                WriteCsv(file.FullName, rows);
            }
            ctx.Console.MarkupLine($"Wrote {n} students to {Markup.Escape(file.FullName)}");
            return Task.FromResult(CommandKit.Ok);
        });
        sample.Add(students);
        return sample;
    }

    public static void WriteCsv(string path, IEnumerable<Dictionary<string, string>> rows)
    {
        using var csv = CsvWriter.Create(File.Create(path), CsvWriterOptions.Default);
        csv.WriteHeader([.. StudentColumns.All.Select(c => c.Name)]);
        foreach (var row in rows)
        {
            csv.WriteRecord([.. StudentColumns.All.Select(c => row.GetValueOrDefault(c.Name, ""))]);
        }
    }
}
