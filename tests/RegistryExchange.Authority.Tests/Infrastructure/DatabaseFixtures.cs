using Microsoft.Data.Sqlite;
using Npgsql;

namespace RegistryExchange.Authority.Tests.Infrastructure;

/// <summary>A temporary SQLite file per test class.</summary>
public class SqliteFixture : AuthorityFixture
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"rx-authority-test-{Guid.NewGuid():N}.db");

    public override string Provider => "Sqlite";

    protected override Task<string> CreateDatabaseAsync() => Task.FromResult($"Data Source={_path}");

    protected override Task DropDatabaseAsync()
    {
        SqliteConnection.ClearAllPools();
        foreach (var file in new[] { _path, _path + "-wal", _path + "-shm" })
        {
            File.Delete(file);
        }
        return Task.CompletedTask;
    }
}

/// <summary>
/// A fresh database (rx_test_&lt;guid&gt;) per test class on the server named by RX_TEST_POSTGRES. Without that variable
/// the tests fail: a PostgreSQL test that silently passes would hide that it never ran.
/// </summary>
public class PostgresFixture : AuthorityFixture
{
    public const string Variable = "RX_TEST_POSTGRES";
    private readonly string _database = $"rx_test_{Guid.NewGuid():N}";
    private string? _server;

    public override string Provider => "Postgres";

    protected override async Task<string> CreateDatabaseAsync()
    {
        _server = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(_server))
        {
            throw new InvalidOperationException(
                $"{Variable} is not set, so the PostgreSQL integration tests cannot run. Start a throw-away server " +
                $"(tools/pg.sh start prints its connection string) and set {Variable}, e.g. " +
                "\"Host=127.0.0.1;Port=55432;Username=postgres;Database=postgres\".");
        }
        await ExecuteAsync($"CREATE DATABASE \"{_database}\"");
        return new NpgsqlConnectionStringBuilder(_server) { Database = _database }.ConnectionString;
    }

    protected override async Task DropDatabaseAsync()
    {
        if (_server is null)
        {
            return;
        }
        NpgsqlConnection.ClearAllPools();
        await ExecuteAsync($"DROP DATABASE IF EXISTS \"{_database}\" WITH (FORCE)");
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_server);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}

public sealed class SqlitePerEntityFixture : SqliteFixture
{
    public override string IngestMode => "PerEntity";
}

public sealed class PostgresPerEntityFixture : PostgresFixture
{
    public override string IngestMode => "PerEntity";
}
