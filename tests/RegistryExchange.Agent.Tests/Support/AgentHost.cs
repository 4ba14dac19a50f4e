using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RegistryExchange.Agent.Sync;
using RegistryExchange.Agent.Storage;
using W = RegistryExchange.Contracts.V1;

namespace RegistryExchange.Agent.Tests.Support;

/// <summary>The real agent in process on its own SQLite file. Pushing is off unless an authority is given; it gets its
/// tokens from <paramref name="tokenEndpoint"/> (through <paramref name="authorityHandler"/> when that is given).</summary>
public sealed class AgentHost : WebApplicationFactory<Program>
{
    private readonly string _database;
    private readonly string _schoolCode;
    private readonly Uri? _authority;
    private readonly AgentCredentials _client;
    private readonly Uri? _tokenEndpoint;
    private readonly Func<HttpMessageHandler>? _authorityHandler;
    private readonly IReadOnlyDictionary<string, string> _settings;

    public AgentHost(string database, string schoolCode = "S110105001", Uri? authority = null, AgentCredentials? client = null,
        Uri? tokenEndpoint = null, Func<HttpMessageHandler>? authorityHandler = null, IReadOnlyDictionary<string, string>? settings = null)
    {
        _settings = settings ?? new Dictionary<string, string>();
        _database = database;
        _schoolCode = schoolCode;
        _authority = authority;
        _client = client ?? AuthorityHost.ClientA;
        _tokenEndpoint = tokenEndpoint;
        _authorityHandler = authorityHandler;
    }

    /// <summary>What the agent's log said, at warning and above.</summary>
    public LogSink Log { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("School:Code", _schoolCode);
        builder.UseSetting("ConnectionStrings:Register", $"Data Source={_database}");
        builder.UseSetting("Push:Enabled", (_authority is not null).ToString());
        builder.UseSetting("Authority:Url", (_authority ?? new Uri("http://127.0.0.1:9")).ToString());
        builder.UseSetting("Authority:TokenEndpoint", (_tokenEndpoint ?? new Uri(_authority ?? new Uri("http://127.0.0.1:9"), "connect/token")).ToString());
        builder.UseSetting("Authority:ClientId", _client.ClientId);
        builder.UseSetting("Authority:ClientSecret", _client.ClientSecret);
        builder.UseSetting("Authority:TokenRetryDelay", "00:00:00.050");
        builder.UseSetting("Push:MaxBackoff", "00:00:01");
        builder.UseSetting("Push:BatchSize", "200");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureLogging(l => l.AddProvider(Log));
        if (_authorityHandler is not null)
        {
            builder.ConfigureServices(s =>
            {
                s.AddHttpClient(nameof(W.SyncService.SyncServiceClient)).ConfigurePrimaryHttpMessageHandler(_authorityHandler);
                s.AddHttpClient(ClientCredentialsTokenSource.HttpClientName).ConfigurePrimaryHttpMessageHandler(_authorityHandler);
            });
        }
    }

    public GrpcChannel Channel() =>
        GrpcChannel.ForAddress(Server.BaseAddress, new GrpcChannelOptions { HttpHandler = Server.CreateHandler() });

    public W.SchoolRegisterService.SchoolRegisterServiceClient Client() => new(Channel());

    /// <summary>Runs a query against the agent's register.</summary>
    public async Task<T> QueryAsync<T>(Func<AgentDbContext, Task<T>> query)
    {
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AgentDbContext>();
        return await query(db);
    }

    public Task<List<OutboxEntry>> OutboxAsync() => QueryAsync(db => db.Outbox.AsNoTracking().OrderBy(o => o.Sequence).ToListAsync());
}
