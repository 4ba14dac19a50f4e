using System.Globalization;
using System.Text;
using CsvHelper;
using MiniExcelLibs;

namespace RegistryExchange.Cli.Import;

/// <summary>One data row: its row number as a spreadsheet shows it (the header is row 1) and its values by column name.</summary>
public sealed record SourceRow(int RowNumber, IReadOnlyDictionary<string, string> Values);

/// <summary>The file's header: which column each header names, and which headers mean nothing to us.</summary>
public sealed record SourceHeader(IReadOnlyDictionary<string, string> HeaderByColumn, IReadOnlyList<string> Ignored);

/// <summary>Reads CSV (UTF-8, or GB18030 as Excel saves it on Chinese Windows) and .xlsx student files.</summary>
public static class StudentFileReader
{
    public static (SourceHeader Header, IEnumerable<SourceRow> Rows) Open(string path) =>
        Path.GetExtension(path).Equals(".xlsx", StringComparison.OrdinalIgnoreCase) ? OpenXlsx(path) : OpenCsv(path);

    private static (SourceHeader, IEnumerable<SourceRow>) OpenCsv(string path)
    {
        var text = ReadText(path);
        using var probe = CsvReader.FromText(text, Options);
        var headers = probe.Headers.ToArray();
        if (headers.Length == 0)
        {
            throw new InvalidDataException($"{path} has no header row.");
        }
        return (MapHeader(headers), ReadCsvRows(text, headers));
    }

    // Lenient on shape (short rows read as empty fields); the validator judges the values.
    private static readonly CsvReaderOptions Options = CsvReaderOptions.Default with
    {
        TrimWhitespace = true,
        MissingField = CsvMissingFieldHandling.ReturnEmpty,
        FieldCountMismatch = CsvFieldCountHandling.Allow,
        IncludeValuesInExceptions = false,
    };

    private static IEnumerable<SourceRow> ReadCsvRows(string text, string[] headers)
    {
        var columns = headers.Select(h => StudentColumns.FromHeader(h)?.Name).ToArray();
        using var csv = CsvReader.FromText(text, Options);
        while (csv.Read())
        {
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var i = 0; i < columns.Length; i++)
            {
                if (columns[i] is { } column && i < csv.FieldCount)
                {
                    values[column] = csv.GetString(i) ?? "";
                }
            }
            if (values.Values.Any(v => v.Length > 0))
            {
                // The header is row 1, as a spreadsheet shows it.
                yield return new SourceRow((int)csv.RowNumber + 1, values);
            }
        }
    }

    private static (SourceHeader, IEnumerable<SourceRow>) OpenXlsx(string path)
    {
        var headers = MiniExcel.GetColumns(path, useHeaderRow: true).Select(h => h?.ToString() ?? "").ToArray();
        return (MapHeader(headers), ReadXlsxRows(path));
    }

    private static IEnumerable<SourceRow> ReadXlsxRows(string path)
    {
        var rowNumber = 1;
        foreach (IDictionary<string, object?> row in MiniExcel.Query(path, useHeaderRow: true))
        {
            rowNumber++;
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (header, cell) in row)
            {
                if (StudentColumns.FromHeader(header) is { } column)
                {
                    values[column.Name] = CellText(cell);
                }
            }
            if (values.Values.Any(v => v.Length > 0))
            {
                yield return new SourceRow(rowNumber, values);
            }
        }
    }

    private static string CellText(object? cell) => cell switch
    {
        null => "",
        DateTime d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        double n => n.ToString("0.##########", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => cell.ToString() ?? "",
    };

    private static SourceHeader MapHeader(IEnumerable<string> headers)
    {
        var byColumn = new Dictionary<string, string>(StringComparer.Ordinal);
        var ignored = new List<string>();
        foreach (var h in headers)
        {
            if (StudentColumns.FromHeader(h) is { } column)
            {
                byColumn.TryAdd(column.Name, h.Trim().TrimStart('\uFEFF'));
            }
            else if (h.Trim().Length > 0)
            {
                ignored.Add(h);
            }
        }
        return new SourceHeader(byColumn, ignored);
    }

    /// <summary>UTF-8 when the bytes are UTF-8, otherwise GB18030 (a superset of GBK, Excel's "CSV" on Chinese Windows).</summary>
    private static string ReadText(string path)
    {
        var bytes = File.ReadAllBytes(path);
        try
        {
            return new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes).TrimStart('\uFEFF');
        }
        catch (DecoderFallbackException)
        {
            Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
            return Encoding.GetEncoding("GB18030").GetString(bytes);
        }
    }
}
