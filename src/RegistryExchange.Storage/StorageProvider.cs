using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace RegistryExchange.Storage;

public enum StorageProvider
{
    Sqlite,
    Postgres,
    SqlServer,
}

/// <summary>Points the context at one provider and that provider's migrations assembly.</summary>
public static class AuthorityDbContextConfiguration
{
    public static string MigrationsAssembly(StorageProvider provider) => provider switch
    {
        StorageProvider.Sqlite => "RegistryExchange.Storage.Sqlite",
        StorageProvider.Postgres => "RegistryExchange.Storage.Postgres",
        StorageProvider.SqlServer => "RegistryExchange.Storage.SqlServer",
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, null),
    };

    public static DbContextOptionsBuilder UseRegistryStore(this DbContextOptionsBuilder builder, StorageProvider provider, string connectionString)
    {
        var assembly = MigrationsAssembly(provider);
        // One array-like parameter per IN list: a batch can name thousands of students, past SQL Server's 2,100 parameters.
        const ParameterTranslationMode collections = ParameterTranslationMode.Parameter;
        return provider switch
        {
            StorageProvider.Sqlite => builder
                .UseSqlite(connectionString, o => o.MigrationsAssembly(assembly).UseParameterizedCollectionMode(collections))
                .AddInterceptors(SqlitePragmas.Instance),
            StorageProvider.Postgres => builder
                .UseNpgsql(connectionString, o => o.MigrationsAssembly(assembly).UseParameterizedCollectionMode(collections)),
            StorageProvider.SqlServer => builder
                .UseSqlServer(connectionString, o => o.MigrationsAssembly(assembly).UseParameterizedCollectionMode(collections)),
            _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, null),
        };
    }
}

/// <summary>
/// Per-connection SQLite settings. synchronous=NORMAL in WAL mode survives a process crash; a power cut can lose the
/// last commits, which the agent re-pushes from the high-water mark (docs/decisions/0001).
/// </summary>
internal sealed class SqlitePragmas : DbConnectionInterceptor
{
    public static readonly SqlitePragmas Instance = new();

    private const string Pragmas = "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static void Apply(DbConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
    }

    /// <summary>WAL is a property of the database file; set it once at start-up.</summary>
    public static async Task EnableWalAsync(SqliteConnection connection, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL;";
        await command.ExecuteNonQueryAsync(ct);
    }
}
