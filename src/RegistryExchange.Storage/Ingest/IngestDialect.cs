using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace RegistryExchange.Storage.Ingest;

/// <summary>
/// What differs between providers around a batch: the cross-instance apply lock, keeping the change_log identity in
/// step with the versions the ingest assigns, and the native bulk writer.
/// </summary>
public abstract class IngestDialect
{
    public abstract StorageProvider Provider { get; }
    public abstract IIngestWriter BulkWriter { get; }

    /// <summary>The batch's transaction (read committed where the provider has it).</summary>
    public virtual Task<IDbContextTransaction> BeginTransactionAsync(AuthorityDbContext db, CancellationToken ct) =>
        db.Database.BeginTransactionAsync(ct);

    /// <summary>Serialises batches across instances, inside the batch's transaction, so feed versions commit in order.</summary>
    public abstract Task AcquireApplyLockAsync(AuthorityDbContext db, CancellationToken ct);

    /// <summary>Called after a batch wrote versions up to <paramref name="lastVersion"/>.</summary>
    public virtual Task AfterWriteAsync(AuthorityDbContext db, long lastVersion, CancellationToken ct) => Task.CompletedTask;

    /// <summary>One-off preparation at start-up, after migrations.</summary>
    public virtual Task PrepareDatabaseAsync(AuthorityDbContext db, CancellationToken ct) => Task.CompletedTask;

    public static IngestDialect For(StorageProvider provider) => provider switch
    {
        StorageProvider.Sqlite => new SqliteDialect(),
        StorageProvider.Postgres => new PostgresDialect(),
        StorageProvider.SqlServer => new SqlServerDialect(),
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, null),
    };

    internal static T Transaction<T>(AuthorityDbContext db) where T : class =>
        db.Database.CurrentTransaction?.GetDbTransaction() as T
        ?? throw new InvalidOperationException("The ingest writes only inside the batch's transaction.");
}

internal sealed class SqliteDialect : IngestDialect
{
    public override StorageProvider Provider => StorageProvider.Sqlite;
    public override IIngestWriter BulkWriter { get; } = new SqliteIngestWriter();

    // Serializable makes Microsoft.Data.Sqlite issue BEGIN IMMEDIATE: the database's single write lock, taken up front,
    // is the cross-process apply lock (a deferred BEGIN could deadlock two writers upgrading from read locks).
    public override Task<IDbContextTransaction> BeginTransactionAsync(AuthorityDbContext db, CancellationToken ct) =>
        db.Database.BeginTransactionAsync(System.Data.IsolationLevel.Serializable, ct);

    public override Task AcquireApplyLockAsync(AuthorityDbContext db, CancellationToken ct) => Task.CompletedTask;

    public override async Task PrepareDatabaseAsync(AuthorityDbContext db, CancellationToken ct)
    {
        var connection = (SqliteConnection)db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA journal_mode=WAL;";
            await command.ExecuteNonQueryAsync(ct);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}

internal sealed class PostgresDialect : IngestDialect
{
    // "RXAP": any fixed key works; it only has to be the same for every instance.
    private const long ApplyLockKey = 0x52584150;

    public override StorageProvider Provider => StorageProvider.Postgres;
    public override IIngestWriter BulkWriter { get; } = new PostgresIngestWriter();

    public override Task AcquireApplyLockAsync(AuthorityDbContext db, CancellationToken ct) =>
        db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({ApplyLockKey})", ct);

    // Versions are inserted explicitly; move the identity past them so a plain INSERT cannot collide.
    public override async Task AfterWriteAsync(AuthorityDbContext db, long lastVersion, CancellationToken ct)
    {
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await using var command = new NpgsqlCommand(
            "SELECT setval(pg_get_serial_sequence('change_log', 'version'), @v)", connection);
        command.Parameters.AddWithValue("v", lastVersion);
        await command.ExecuteScalarAsync(ct);
    }
}

internal sealed class SqlServerDialect : IngestDialect
{
    public override StorageProvider Provider => StorageProvider.SqlServer;
    public override IIngestWriter BulkWriter { get; } = new SqlServerIngestWriter();

    public override Task AcquireApplyLockAsync(AuthorityDbContext db, CancellationToken ct) =>
        db.Database.ExecuteSqlRawAsync(
            "EXEC sp_getapplock @Resource = N'registryexchange.apply', @LockMode = N'Exclusive', @LockOwner = N'Transaction', @LockTimeout = -1;", ct);
}
