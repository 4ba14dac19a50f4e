using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using RegistryExchange.Authority.Audit;
using RegistryExchange.Authority.Tests.Infrastructure;
using RegistryExchange.Storage;
using RegistryExchange.Storage.Ingest;
using RegistryExchange.Storage.Model;

namespace RegistryExchange.Authority.Tests.Audit;

/// <summary>A clock the test moves by hand.</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now;

    public void Advance(TimeSpan by) => Now += by;
}

/// <summary>
/// The audit log's own parts on a real, freshly migrated database (one per test): the appender, the checkpoint
/// writer with keys in a temporary directory, and the verifier. No host, no background job: tests drive each step,
/// so tampering never races a checkpoint.
/// </summary>
public sealed class AuditDatabase : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly Func<Task> _drop;

    private AuditDatabase(StorageProvider provider, ServiceProvider services, Func<Task> drop, string keyDirectory)
    {
        Provider = provider;
        _services = services;
        _drop = drop;
        KeyDirectory = keyDirectory;
        Contexts = services.GetRequiredService<IDbContextFactory<AuthorityDbContext>>();
        Keys = new AuditKeyRing(keyDirectory, Clock);
        Log = new AuditLog(Contexts, IngestDialect.For(provider), Clock);
        Checkpoints = new AuditCheckpointWriter(Contexts, Log, Keys, Clock);
        Service = new AuditService(Contexts, Log, Keys);
    }

    public StorageProvider Provider { get; }
    public ManualClock Clock { get; } = new(new DateTimeOffset(2026, 9, 1, 8, 0, 0, TimeSpan.Zero));
    public string KeyDirectory { get; }
    public IDbContextFactory<AuthorityDbContext> Contexts { get; }
    public AuditKeyRing Keys { get; }
    public AuditLog Log { get; }
    public AuditCheckpointWriter Checkpoints { get; }
    public AuditService Service { get; }

    public static async Task<AuditDatabase> CreateAsync(StorageProvider provider)
    {
        var keyDirectory = Path.Combine(Path.GetTempPath(), $"rx-audit-keys-{Guid.NewGuid():N}");
        string connectionString;
        Func<Task> drop;
        if (provider == StorageProvider.Sqlite)
        {
            var path = Path.Combine(Path.GetTempPath(), $"rx-audit-test-{Guid.NewGuid():N}.db");
            connectionString = $"Data Source={path}";
            drop = () =>
            {
                SqliteConnection.ClearAllPools();
                foreach (var file in new[] { path, path + "-wal", path + "-shm" })
                {
                    File.Delete(file);
                }
                return Task.CompletedTask;
            };
        }
        else
        {
            var server = Environment.GetEnvironmentVariable(PostgresFixture.Variable);
            if (string.IsNullOrWhiteSpace(server))
            {
                throw new InvalidOperationException($"{PostgresFixture.Variable} is not set, so the PostgreSQL audit tests cannot run (tools/pg.sh start).");
            }
            var database = $"rx_audit_{Guid.NewGuid():N}";
            await ExecuteAsync(server, $"CREATE DATABASE \"{database}\"");
            connectionString = new NpgsqlConnectionStringBuilder(server) { Database = database }.ConnectionString;
            drop = async () =>
            {
                NpgsqlConnection.ClearAllPools();
                await ExecuteAsync(server, $"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)");
            };
        }
        var services = new ServiceCollection()
            .AddPooledDbContextFactory<AuthorityDbContext>(o => o.UseRegistryStore(provider, connectionString))
            .BuildServiceProvider();
        await using (var db = await services.GetRequiredService<IDbContextFactory<AuthorityDbContext>>().CreateDbContextAsync())
        {
            await db.Database.MigrateAsync();
            await IngestDialect.For(provider).PrepareDatabaseAsync(db, CancellationToken.None);
        }
        return new AuditDatabase(provider, services, drop, keyDirectory);
    }

    /// <summary>Appends <paramref name="count"/> entries, each touching two students, one minute apart.</summary>
    public async Task AppendAsync(int count)
    {
        for (var i = 0; i < count; i++)
        {
            Clock.Advance(TimeSpan.FromMinutes(1));
            await Log.AppendAsync(new AuditEvent(new AuditActor("school-T001", "school", "T001"), AuditActions.FeedRead, "registry-distribution",
                [$"J11010500000{i % 10}", $"T001/local-{i}"], $"page {i}"), CancellationToken.None);
        }
    }

    public Task<AuditVerification> VerifyAsync() => Service.VerifyAsync(CancellationToken.None);

    public async Task ExecuteAsync(string sql)
    {
        await using var db = await Contexts.CreateDbContextAsync();
        await db.Database.ExecuteSqlRawAsync(sql);
    }

    public async Task<List<AuditEntryRow>> EntriesAsync()
    {
        await using var db = await Contexts.CreateDbContextAsync();
        return await db.AuditEntries.AsNoTracking().OrderBy(e => e.Sequence).ToListAsync();
    }

    public async Task<List<string>> SubjectsAsync(long sequence)
    {
        await using var db = await Contexts.CreateDbContextAsync();
        return await db.AuditSubjects.Where(s => s.EntrySequence == sequence).Select(s => s.StudentKey).ToListAsync();
    }

    public async ValueTask DisposeAsync()
    {
        Keys.Dispose();
        await _services.DisposeAsync();
        await _drop();
        if (Directory.Exists(KeyDirectory))
        {
            Directory.Delete(KeyDirectory, recursive: true);
        }
    }

    private static async Task ExecuteAsync(string server, string sql)
    {
        await using var connection = new NpgsqlConnection(server);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
