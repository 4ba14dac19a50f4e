using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using RegistryExchange.Storage.Model;

namespace RegistryExchange.Storage.Ingest;

/// <summary>
/// PostgreSQL: binary COPY for every insert; changed students are copied into a temporary table and applied with
/// one UPDATE ... FROM.
/// </summary>
internal sealed class PostgresIngestWriter : IIngestWriter
{
    public async Task WriteAsync(AuthorityDbContext db, IngestWrite write, CancellationToken ct)
    {
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        var students = StudentDelta.From(write);

        await ReleaseIdNumbersAsync(connection, students.IdNumberReleases, ct);
        await UpdateStudentsAsync(connection, students.Updates, ct);
        await CopyAsync(connection, "students", Columns.Students, students.Inserts, ct);
        await CopyAsync(connection, "change_log", Columns.ChangeLog, write.Changes.Select(c => c.Log), ct);
        await CopyAsync(connection, "duplicate_cases", Columns.DuplicateCases,
            write.Changes.Where(c => c.DuplicateCase is not null).Select(c => c.DuplicateCase!), ct);
        await UpdateSchoolAsync(connection, write.School, ct);
    }

    private static async Task CopyAsync<T>(NpgsqlConnection connection, string table, Column<T>[] columns, IEnumerable<T> rows, CancellationToken ct)
    {
        var list = rows as IReadOnlyCollection<T> ?? [.. rows];
        if (list.Count == 0)
        {
            return;
        }
        await using var importer = await connection.BeginBinaryImportAsync(
            $"COPY {table} ({Columns.List(columns)}) FROM STDIN (FORMAT BINARY)", ct);
        foreach (var row in list)
        {
            await importer.StartRowAsync(ct);
            foreach (var column in columns)
            {
                await WriteValueAsync(importer, column.Value(row), column.PgType, ct);
            }
        }
        await importer.CompleteAsync(ct);
    }

    private static Task WriteValueAsync(NpgsqlBinaryImporter importer, object? value, NpgsqlDbType type, CancellationToken ct) =>
        value switch
        {
            null => importer.WriteNullAsync(ct),
            string s => importer.WriteAsync(s, type, ct),
            long l => importer.WriteAsync(l, type, ct),
            bool b => importer.WriteAsync(b, type, ct),
            DateTime d => importer.WriteAsync(d, type, ct),
            byte[] bytes => importer.WriteAsync(bytes, type, ct),
            _ => throw new NotSupportedException($"No COPY mapping for {value.GetType()}"),
        };

    private static async Task UpdateStudentsAsync(NpgsqlConnection connection, List<StudentRow> rows, CancellationToken ct)
    {
        if (rows.Count == 0)
        {
            return;
        }
        await ExecuteAsync(connection,
            "CREATE TEMPORARY TABLE students_changed (LIKE students INCLUDING DEFAULTS) ON COMMIT DROP", ct);
        await CopyAsync(connection, "students_changed", Columns.Students, rows, ct);
        await ExecuteAsync(connection,
            $"UPDATE students AS s SET {Columns.Assignments(Columns.Students, "c", "national_student_number")} " +
            "FROM students_changed AS c WHERE s.national_student_number = c.national_student_number", ct);
        // ON COMMIT DROP covers the commit; drop now too so a second batch in the same transaction could not trip on it.
        await ExecuteAsync(connection, "DROP TABLE students_changed", ct);
    }

    private static async Task ReleaseIdNumbersAsync(NpgsqlConnection connection, List<string> numbers, CancellationToken ct)
    {
        if (numbers.Count == 0)
        {
            return;
        }
        await using var command = new NpgsqlCommand(
            "UPDATE students SET id_number = NULL WHERE national_student_number = ANY(@n)", connection);
        command.Parameters.AddWithValue("n", numbers.ToArray());
        await command.ExecuteNonQueryAsync(ct);
    }

    private static async Task UpdateSchoolAsync(NpgsqlConnection connection, SchoolRow school, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            "UPDATE schools SET high_water_mark = @h, next_assigned_serial = @s WHERE code = @c", connection);
        command.Parameters.AddWithValue("h", school.HighWaterMark);
        command.Parameters.AddWithValue("s", school.NextAssignedSerial);
        command.Parameters.AddWithValue("c", school.Code);
        await command.ExecuteNonQueryAsync(ct);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }
}
