using System.Globalization;
using CsvHelper;
using Spectre.Console;

namespace RegistryExchange.Cli.Import;

/// <summary>One problem with one row: the header as the file spells it, the record field and what is wrong.</summary>
public sealed record RowError(int Row, string Column, string Field, string Problem);

/// <summary>The outcome of an import: counts and every row error.</summary>
public sealed class ImportReport
{
    private const int MaxPrinted = 100;

    public int Rows { get; set; }
    public int Created { get; set; }
    public int FailedRows => Errors.Select(e => e.Row).Distinct().Count();
    public List<RowError> Errors { get; } = [];

    public void Print(IAnsiConsole console, string? errorFile)
    {
        var colour = FailedRows == 0 ? "green" : "yellow";
        console.MarkupLine($"[{colour}]{Created} of {Rows} rows created, {FailedRows} failed[/]");
        if (Errors.Count == 0)
        {
            return;
        }
        var table = new Table().AddColumns("row", "column", "problem");
        foreach (var e in Errors.Take(MaxPrinted))
        {
            table.AddRow(e.Row.ToString(CultureInfo.InvariantCulture), Markup.Escape(e.Column), Markup.Escape(e.Problem));
        }
        console.Write(table);
        if (Errors.Count > MaxPrinted)
        {
            console.MarkupLine($"… and {Errors.Count - MaxPrinted} more{(errorFile is null ? "; write them all with --errors FILE.csv" : "")}");
        }
        if (errorFile is not null)
        {
            console.MarkupLine($"Row errors written to {Markup.Escape(errorFile)}");
        }
    }

        /// <summary>UTF-8 with a BOM, so Excel opens the Chinese text correctly.</summary>
    public void WriteCsv(string path)
    {
        using var csv = CsvWriter.Create(File.Create(path), CsvWriterOptions.Default with { WriteByteOrderMark = true });
        csv.WriteHeader(["row", "column", "field", "problem"]);
        foreach (var e in Errors)
        {
            csv.WriteRecord([e.Row.ToString(CultureInfo.InvariantCulture), e.Column, e.Field, e.Problem]);
        }
    }
}
