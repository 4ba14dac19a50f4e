using System.Diagnostics;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;
using RegistryExchange.Contracts.V1;
using RegistryExchange.LocalHosting;
using RegistryExchange.Protocol;
using RegistryExchange.Storage.Json;
using D = RegistryExchange.Domain.Students;

namespace RegistryExchange.Benchmarks;

/// <summary>
/// The ceiling: the same rows the authority writes for a create (a student row and a change-log row with the same
/// payload), written straight into the migrated schema with the provider's fastest path, no gRPC, no domain rules.
/// Only the database writes are timed.
/// </summary>
public static class RawIngest
{
    private const int Batch = 5000;
    private static readonly string[] StudentParameters = ["$n", "$s", "$l", "$i", "$j", "$u"];
    private static readonly string[] LogParameters = ["$s", "$q", "$l", "$n", "$a", "$p"];

    public static async Task<double> RunAsync(BenchDatabase database, int count, CancellationToken ct)
    {
        var settings = database.AuthoritySettings("raw");
        var connectionString = settings["ConnectionStrings:Registry"];
        // Let the authority create its schema and seed the school, then write beside it.
        await using (var exchange = LocalExchange.Create(new LocalExchangeOptions { Name = "bench-raw-" + database.Provider, SchoolCount = 1, AuthoritySettings = settings }))
        {
            await exchange.Authority.StartAsync();
            var school = exchange.Schools[0].Code;
            exchange.Authority.Kill();
            var timed = Stopwatch.StartNew();
            timed.Stop();
            var rows = Rows(school, count);
            if (database.Provider == "sqlite")
            {
                await WriteSqliteAsync(connectionString, rows, timed, ct);
            }
            else
            {
                await WritePostgresAsync(connectionString, rows, timed, ct);
            }
            return count / timed.Elapsed.TotalSeconds;
        }
    }

    private sealed record Row(string Number, string School, string LocalId, string? IdNumber, long Sequence, string Json, byte[] Payload, DateTime At);

    private static IEnumerable<Row[]> Rows(string school, int count)
    {
        var sequence = 0L;
        var today = new DateOnly(2026, 12, 1);
        foreach (var chunk in SyncBenchmark.Students(count).Chunk(Batch))
        {
            yield return [.. chunk.Select(s =>
            {
                sequence++;
                var student = D.Student.Register(s.LocalId, school, s.Details, today);
                var number = s.Details.Basic.IdNumber.Length > 0 ? "G" + s.Details.Basic.IdNumber : "J110105" + sequence.ToString("D11", System.Globalization.CultureInfo.InvariantCulture);
                var change = new RecordChange
                {
                    Sequence = (ulong)sequence,
                    StudentLocalId = s.LocalId,
                    NationalStudentNumber = number,
                    RecordedAt = Timestamp.FromDateTime(DateTime.UtcNow),
                    Created = new StudentCreated { Details = s.Details.ToWire() },
                };
                return new Row(number, school, s.LocalId, s.Details.Basic.IdNumber.Length > 0 ? s.Details.Basic.IdNumber : null, sequence,
                    RecordJson.Serialize(student.Details, student.History), change.ToByteArray(), DateTime.UtcNow);
            })];
        }
    }

    private static async Task WriteSqliteAsync(string connectionString, IEnumerable<Row[]> batches, Stopwatch timed, CancellationToken ct)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(ct);
        await using (var pragma = connection.CreateCommand())
        {
            pragma.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;";
            await pragma.ExecuteNonQueryAsync(ct);
        }
        foreach (var batch in batches)
        {
            timed.Start();
            await using var tx = connection.BeginTransaction();
            await using var student = connection.CreateCommand();
            student.Transaction = tx;
            student.CommandText = "INSERT INTO students (national_student_number, owner_school_code, local_id, id_number, status, version, record_json, updated_at) VALUES ($n, $s, $l, $i, 'Enrolled', 1, $j, $u)";
            var sp = StudentParameters.Select(n => student.Parameters.Add(new SqliteParameter(n, null))).ToArray();
            await using var log = connection.CreateCommand();
            log.Transaction = tx;
            log.CommandText = "INSERT INTO change_log (school_code, sequence, student_local_id, national_student_number, outcome, rejection_reason, message, kind, status_after, record_ended, record_version, applied_at, payload) VALUES ($s, $q, $l, $n, 'Accepted', NULL, '', 'Created', 'Enrolled', 0, 1, $a, $p)";
            var lp = LogParameters.Select(n => log.Parameters.Add(new SqliteParameter(n, null))).ToArray();
            student.Prepare();
            log.Prepare();
            foreach (var r in batch)
            {
                sp[0].Value = r.Number; sp[1].Value = r.School; sp[2].Value = r.LocalId; sp[3].Value = (object?)r.IdNumber ?? DBNull.Value; sp[4].Value = r.Json; sp[5].Value = r.At;
                await student.ExecuteNonQueryAsync(ct);
                lp[0].Value = r.School; lp[1].Value = r.Sequence; lp[2].Value = r.LocalId; lp[3].Value = r.Number; lp[4].Value = r.At; lp[5].Value = r.Payload;
                await log.ExecuteNonQueryAsync(ct);
            }
            await tx.CommitAsync(ct);
            timed.Stop();
        }
    }

    private static async Task WritePostgresAsync(string connectionString, IEnumerable<Row[]> batches, Stopwatch timed, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        foreach (var batch in batches)
        {
            timed.Start();
            await using var tx = await connection.BeginTransactionAsync(ct);
            await using (var students = await connection.BeginBinaryImportAsync(
                "COPY students (national_student_number, owner_school_code, local_id, id_number, status, version, record_json, updated_at) FROM STDIN (FORMAT BINARY)", ct))
            {
                foreach (var r in batch)
                {
                    await students.StartRowAsync(ct);
                    await students.WriteAsync(r.Number, NpgsqlDbType.Varchar, ct);
                    await students.WriteAsync(r.School, NpgsqlDbType.Varchar, ct);
                    await students.WriteAsync(r.LocalId, NpgsqlDbType.Varchar, ct);
                    await students.WriteAsync(r.IdNumber, NpgsqlDbType.Varchar, ct);
                    await students.WriteAsync("Enrolled", NpgsqlDbType.Varchar, ct);
                    await students.WriteAsync(1L, NpgsqlDbType.Bigint, ct);
                    await students.WriteAsync(r.Json, NpgsqlDbType.Text, ct);
                    await students.WriteAsync(r.At, NpgsqlDbType.TimestampTz, ct);
                }
                await students.CompleteAsync(ct);
            }
            await using (var log = await connection.BeginBinaryImportAsync(
                "COPY change_log (school_code, sequence, student_local_id, national_student_number, outcome, message, kind, status_after, record_ended, record_version, applied_at, payload) FROM STDIN (FORMAT BINARY)", ct))
            {
                foreach (var r in batch)
                {
                    await log.StartRowAsync(ct);
                    await log.WriteAsync(r.School, NpgsqlDbType.Varchar, ct);
                    await log.WriteAsync(r.Sequence, NpgsqlDbType.Bigint, ct);
                    await log.WriteAsync(r.LocalId, NpgsqlDbType.Varchar, ct);
                    await log.WriteAsync(r.Number, NpgsqlDbType.Varchar, ct);
                    await log.WriteAsync("Accepted", NpgsqlDbType.Varchar, ct);
                    await log.WriteAsync("", NpgsqlDbType.Varchar, ct);
                    await log.WriteAsync("Created", NpgsqlDbType.Varchar, ct);
                    await log.WriteAsync("Enrolled", NpgsqlDbType.Varchar, ct);
                    await log.WriteAsync(false, NpgsqlDbType.Boolean, ct);
                    await log.WriteAsync(1L, NpgsqlDbType.Bigint, ct);
                    await log.WriteAsync(r.At, NpgsqlDbType.TimestampTz, ct);
                    await log.WriteAsync(r.Payload, NpgsqlDbType.Bytea, ct);
                }
                await log.CompleteAsync(ct);
            }
            await tx.CommitAsync(ct);
            timed.Stop();
        }
    }
}
