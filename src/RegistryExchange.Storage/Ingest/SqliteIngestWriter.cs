using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using RegistryExchange.Storage.Model;

namespace RegistryExchange.Storage.Ingest;

/// <summary>SQLite: one prepared statement per table, re-bound for every row, all in the batch's transaction.</summary>
internal sealed class SqliteIngestWriter : IIngestWriter
{
    public async Task WriteAsync(AuthorityDbContext db, IngestWrite write, CancellationToken ct)
    {
        var connection = (SqliteConnection)db.Database.GetDbConnection();
        var transaction = IngestDialect.Transaction<SqliteTransaction>(db);
        var students = StudentDelta.From(write);

        await ReleaseIdNumbersAsync(connection, transaction, students.IdNumberReleases, ct);
        await UpdateStudentsAsync(connection, transaction, students.Updates, ct);
        await InsertAsync(connection, transaction, "students", Columns.Students, students.Inserts, ct);
        await InsertAsync(connection, transaction, "change_log", Columns.ChangeLog, write.Changes.Select(c => c.Log), ct);
        await InsertAsync(connection, transaction, "duplicate_cases", Columns.DuplicateCases,
            write.Changes.Where(c => c.DuplicateCase is not null).Select(c => c.DuplicateCase!), ct);
        await UpdateSchoolAsync(connection, transaction, write.School, ct);
    }

    private static async Task InsertAsync<T>(SqliteConnection connection, SqliteTransaction transaction, string table,
        Column<T>[] columns, IEnumerable<T> rows, CancellationToken ct)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"INSERT INTO {table} ({Columns.List(columns)}) VALUES ({string.Join(", ", columns.Select(c => "$" + c.Name))})";
        await ExecuteForEachAsync(command, columns, rows, ct);
    }

    private static async Task UpdateStudentsAsync(SqliteConnection connection, SqliteTransaction transaction, List<StudentRow> rows, CancellationToken ct)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText =
            $"UPDATE students SET {string.Join(", ", Columns.Students.Skip(1).Select(c => $"{c.Name} = ${c.Name}"))} WHERE national_student_number = $national_student_number";
        await ExecuteForEachAsync(command, Columns.Students, rows, ct);
    }

    private static async Task ExecuteForEachAsync<T>(SqliteCommand command, Column<T>[] columns, IEnumerable<T> rows, CancellationToken ct)
    {
        var parameters = columns.Select(c => command.Parameters.Add(new SqliteParameter("$" + c.Name, null))).ToArray();
        var prepared = false;
        foreach (var row in rows)
        {
            for (var i = 0; i < columns.Length; i++)
            {
                parameters[i].Value = columns[i].Value(row) ?? DBNull.Value;
            }
            if (!prepared)
            {
                command.Prepare();
                prepared = true;
            }
            await command.ExecuteNonQueryAsync(ct);
        }
    }

    private static async Task ReleaseIdNumbersAsync(SqliteConnection connection, SqliteTransaction transaction, List<string> numbers, CancellationToken ct)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "UPDATE students SET id_number = NULL WHERE national_student_number = $n";
        var n = command.Parameters.Add(new SqliteParameter("$n", null));
        foreach (var number in numbers)
        {
            n.Value = number;
            await command.ExecuteNonQueryAsync(ct);
        }
    }

    private static async Task UpdateSchoolAsync(SqliteConnection connection, SqliteTransaction transaction, SchoolRow school, CancellationToken ct)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "UPDATE schools SET high_water_mark = $h, next_assigned_serial = $s WHERE code = $c";
        command.Parameters.AddWithValue("$h", school.HighWaterMark);
        command.Parameters.AddWithValue("$s", school.NextAssignedSerial);
        command.Parameters.AddWithValue("$c", school.Code);
        await command.ExecuteNonQueryAsync(ct);
    }
}
