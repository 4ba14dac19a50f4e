using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using RegistryExchange.Agent.Register;
using RegistryExchange.Agent.Storage;
using W = RegistryExchange.Contracts.V1;

namespace RegistryExchange.Agent.Sync;

/// <summary>Records what the authority did with a batch, in one local transaction. Safe to run twice for the same
/// results: national numbers are only filled in when empty and a rejection is keyed by its sequence.</summary>
public sealed class PushResults(IServiceScopeFactory scopes, WriteGate gate, TimeProvider time)
{
    public async Task ApplyAsync(IReadOnlyDictionary<long, string> localIds, W.StreamChangesResponse response, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AgentDbContext>();
        using (await gate.EnterAsync(ct))
        {
            await db.Database.OpenConnectionAsync(ct);
            var connection = (SqliteConnection)db.Database.GetDbConnection();
            await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(ct);
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            foreach (var result in response.Results)
            {
                var localId = localIds.GetValueOrDefault((long)result.Sequence, "");
                if (result.Outcome == W.ChangeOutcome.Accepted && result.NationalStudentNumber.Length > 0)
                {
                    // Learning the national number is not a local change: no outbox entry.
                    Execute(connection, tx, "UPDATE students SET national_student_number = $2 WHERE local_id = $1 AND national_student_number = ''",
                        localId, result.NationalStudentNumber);
                }
                else if (result.Outcome == W.ChangeOutcome.Rejected)
                {
                    Execute(connection, tx, """
                        INSERT INTO push_rejections (sequence, local_id, reason, message, recorded_at) VALUES ($1, $2, $3, $4, $5)
                        ON CONFLICT (sequence) DO NOTHING
                        """, (long)result.Sequence, localId, result.RejectionReason.ToString(), result.Message, now);
                }
            }
            var recordedThrough = response.Results.Count > 0 ? (long)response.Results[^1].Sequence : 0L;
            Execute(connection, tx, """
                UPDATE sync_state SET authority_high_water_mark = MAX(authority_high_water_mark, $1), last_push_at = $2, last_error = NULL,
                    results_recorded_through = MAX(results_recorded_through, $3)
                WHERE id = 1
                """, (long)response.HighWaterMark, now, recordedThrough);
            await tx.CommitAsync(ct);
        }
    }

    public async Task RecordHighWaterMarkAsync(long highWaterMark, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AgentDbContext>();
        using (await gate.EnterAsync(ct))
        {
            // The authority's word is the truth after a restore or a reset, so this may also go down.
            await db.SyncState.ExecuteUpdateAsync(s => s.SetProperty(x => x.AuthorityHighWaterMark, highWaterMark), ct);
        }
    }

    /// <summary>Where the next push session starts: after the last change whose result is recorded here.</summary>
    public async Task<long> ResultsRecordedThroughAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AgentDbContext>();
        return await db.SyncState.Select(s => s.ResultsRecordedThrough).SingleAsync(ct);
    }

    public async Task RecordErrorAsync(string error, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AgentDbContext>();
        using (await gate.EnterAsync(ct))
        {
            await db.SyncState.ExecuteUpdateAsync(s => s.SetProperty(x => x.LastError, error), ct);
        }
    }

    private static void Execute(SqliteConnection connection, SqliteTransaction tx, string sql, params object[] args)
    {
        using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        for (var i = 0; i < args.Length; i++)
        {
            cmd.Parameters.AddWithValue("$" + (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), args[i]);
        }
        cmd.ExecuteNonQuery();
    }
}
