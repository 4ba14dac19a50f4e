using Microsoft.Data.Sqlite;
using RegistryExchange.Agent.Storage;

namespace RegistryExchange.Agent.Register;

/// <summary>Prepared, reused commands for the import hot path (SaveChanges per row is several times slower).</summary>
internal sealed class BulkInserter : IDisposable
{
    private readonly SqliteCommand _student;
    private readonly SqliteCommand _outbox;

    public BulkInserter(SqliteConnection connection, SqliteTransaction tx)
    {
        _student = connection.CreateCommand();
        _student.Transaction = tx;
        _student.CommandText = """
            INSERT INTO students (local_id, national_student_number, status, version, record_json, updated_at)
            VALUES ($local_id, $nsn, $status, $version, $record_json, $updated_at)
            ON CONFLICT (local_id) DO NOTHING
            """;
        foreach (var name in new[] { "$local_id", "$nsn", "$status", "$version", "$record_json", "$updated_at" })
        {
            _student.Parameters.Add(new SqliteParameter { ParameterName = name });
        }
        _student.Prepare();

        _outbox = connection.CreateCommand();
        _outbox.Transaction = tx;
        _outbox.CommandText = "INSERT INTO outbox (sequence, local_id, payload, created_at) VALUES ($sequence, $local_id, $payload, $created_at)";
        foreach (var name in new[] { "$sequence", "$local_id", "$payload", "$created_at" })
        {
            _outbox.Parameters.Add(new SqliteParameter { ParameterName = name });
        }
        _outbox.Prepare();
    }

    /// <summary>False when the local id is taken.</summary>
    public bool InsertStudent(StudentRow row)
    {
        var p = _student.Parameters;
        p[0].Value = row.LocalId;
        p[1].Value = row.NationalStudentNumber;
        p[2].Value = row.Status.ToString();
        p[3].Value = row.Version;
        p[4].Value = row.RecordJson;
        p[5].Value = row.UpdatedAt.ToUnixTimeMilliseconds();
        return _student.ExecuteNonQuery() == 1;
    }

    public void InsertOutbox(long sequence, string localId, byte[] payload, DateTimeOffset createdAt)
    {
        var p = _outbox.Parameters;
        p[0].Value = sequence;
        p[1].Value = localId;
        p[2].Value = payload;
        p[3].Value = createdAt.ToUnixTimeMilliseconds();
        _outbox.ExecuteNonQuery();
    }

    public void Dispose()
    {
        _student.Dispose();
        _outbox.Dispose();
    }
}
