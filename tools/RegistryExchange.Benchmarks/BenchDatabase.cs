using Npgsql;

namespace RegistryExchange.Benchmarks;

/// <summary>A fresh authority database per measured path: a SQLite file, or a new PostgreSQL database dropped afterwards.</summary>
public sealed class BenchDatabase : IAsyncDisposable
{
    private readonly string? _server;
    private readonly List<string> _created = [];

    private BenchDatabase(string provider, string? server, string directory)
    {
        Provider = provider;
        _server = server;
        Directory = directory;
    }

    public string Provider { get; }
    public string Directory { get; }

    public static Task<BenchDatabase> CreateAsync(string provider, string? postgresServer)
    {
        if (provider is not ("sqlite" or "postgres"))
        {
            throw new ArgumentException($"unknown provider '{provider}' (sqlite or postgres)", nameof(provider));
        }
        if (provider == "postgres" && string.IsNullOrEmpty(postgresServer))
        {
            throw new ArgumentException("postgres needs --postgres or RX_TEST_POSTGRES (tools/pg.sh start prints one)");
        }
        var dir = Path.Combine(Path.GetTempPath(), "registryexchange", "bench-" + Guid.NewGuid().ToString("N")[..8]);
        System.IO.Directory.CreateDirectory(dir);
        return Task.FromResult(new BenchDatabase(provider, postgresServer, dir));
    }

    /// <summary>Authority settings for a new, empty database (each call makes another).</summary>
    public IReadOnlyDictionary<string, string> AuthoritySettings(string purpose) => new Dictionary<string, string>
    {
        ["Storage:Provider"] = Provider == "sqlite" ? "Sqlite" : "Postgres",
        ["ConnectionStrings:Registry"] = ConnectionString(purpose),
    };

    /// <summary>A new, empty database (each call makes another).</summary>
    public string ConnectionString(string purpose)
    {
        if (Provider == "sqlite")
        {
            return $"Data Source={Path.Combine(Directory, purpose + ".db")}";
        }
        var name = $"rx_bench_{purpose}_{Guid.NewGuid():N}"[..30];
        using (var connection = new NpgsqlConnection(_server))
        {
            connection.Open();
            using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            command.ExecuteNonQuery();
        }
        _created.Add(name);
        return new NpgsqlConnectionStringBuilder(_server) { Database = name }.ConnectionString;
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null && Provider == "postgres")
        {
            await using var connection = new NpgsqlConnection(_server);
            await connection.OpenAsync();
            foreach (var name in _created)
            {
                await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection);
                await command.ExecuteNonQueryAsync();
            }
        }
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // a log still open; the temp folder is cleaned by the OS
        }
    }
}
