using System.Data;
using Microsoft.Data.SqlClient;
using Microsoft.EntityFrameworkCore;
using RegistryExchange.Storage.Model;

namespace RegistryExchange.Storage.Ingest;

/// <summary>
/// SQL Server: SqlBulkCopy for inserts (keeping the versions the ingest assigned), changed students through a
/// temporary table and one UPDATE ... FROM. Compiled and scripted here; no SQL Server runs on our machines.
/// </summary>
internal sealed class SqlServerIngestWriter : IIngestWriter
{
    public async Task WriteAsync(AuthorityDbContext db, IngestWrite write, CancellationToken ct)
    {
        var connection = (SqlConnection)db.Database.GetDbConnection();
        var transaction = IngestDialect.Transaction<SqlTransaction>(db);
        var students = StudentDelta.From(write);

        await ReleaseIdNumbersAsync(connection, transaction, students.IdNumberReleases, ct);
        await UpdateStudentsAsync(connection, transaction, students.Updates, ct);
        await BulkCopyAsync(connection, transaction, "students", Columns.Students, students.Inserts, SqlBulkCopyOptions.Default, ct);
        await BulkCopyAsync(connection, transaction, "change_log", Columns.ChangeLog, write.Changes.Select(c => c.Log), SqlBulkCopyOptions.KeepIdentity, ct);
        await BulkCopyAsync(connection, transaction, "duplicate_cases", Columns.DuplicateCases,
            write.Changes.Where(c => c.DuplicateCase is not null).Select(c => c.DuplicateCase!), SqlBulkCopyOptions.Default, ct);
        await ExecuteAsync(connection, transaction,
            "UPDATE schools SET high_water_mark = @h, next_assigned_serial = @s WHERE code = @c", ct,
            new SqlParameter("@h", write.School.HighWaterMark),
            new SqlParameter("@s", write.School.NextAssignedSerial),
            new SqlParameter("@c", write.School.Code));
    }

    private static async Task BulkCopyAsync<T>(SqlConnection connection, SqlTransaction transaction, string table,
        Column<T>[] columns, IEnumerable<T> rows, SqlBulkCopyOptions options, CancellationToken ct)
    {
        using var data = new DataTable(table) { Locale = System.Globalization.CultureInfo.InvariantCulture };
        foreach (var column in columns)
        {
            data.Columns.Add(column.Name, column.ClrType);
        }
        foreach (var row in rows)
        {
            data.Rows.Add([.. columns.Select(c => c.Value(row) ?? DBNull.Value)]);
        }
        if (data.Rows.Count == 0)
        {
            return;
        }
        using var bulk = new SqlBulkCopy(connection, options, transaction) { DestinationTableName = table, BatchSize = 0 };
        foreach (var column in columns)
        {
            bulk.ColumnMappings.Add(column.Name, column.Name);
        }
        await bulk.WriteToServerAsync(data, ct);
    }

    private static async Task UpdateStudentsAsync(SqlConnection connection, SqlTransaction transaction, List<StudentRow> rows, CancellationToken ct)
    {
        if (rows.Count == 0)
        {
            return;
        }
        await ExecuteAsync(connection, transaction, "SELECT TOP 0 * INTO #students_changed FROM students", ct);
        await BulkCopyAsync(connection, transaction, "#students_changed", Columns.Students, rows, SqlBulkCopyOptions.Default, ct);
        await ExecuteAsync(connection, transaction,
            $"UPDATE s SET {Columns.Assignments(Columns.Students, "c", "national_student_number")} " +
            "FROM students AS s JOIN #students_changed AS c ON s.national_student_number = c.national_student_number; " +
            "DROP TABLE #students_changed;", ct);
    }

    private static async Task ReleaseIdNumbersAsync(SqlConnection connection, SqlTransaction transaction, List<string> numbers, CancellationToken ct)
    {
        foreach (var number in numbers)
        {
            await ExecuteAsync(connection, transaction,
                "UPDATE students SET id_number = NULL WHERE national_student_number = @n", ct, new SqlParameter("@n", number));
        }
    }

    private static async Task ExecuteAsync(SqlConnection connection, SqlTransaction transaction, string sql, CancellationToken ct, params SqlParameter[] parameters)
    {
        await using var command = new SqlCommand(sql, connection, transaction);
        command.Parameters.AddRange(parameters);
        await command.ExecuteNonQueryAsync(ct);
    }
}
