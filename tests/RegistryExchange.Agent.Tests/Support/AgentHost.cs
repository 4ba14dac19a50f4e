using System.Collections.Concurrent;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Authentication.JwtBearer;
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
/// tokens from <paramref name="tokenEndpoint"/> (through <paramref name="authorityHandler"/> when that is given).
/// Its local API trusts the tokens of <paramref name="tokenServer"/> (a real authority; the process-wide
/// <see cref="SharedTokenServer"/> unless given), and <see cref="Client"/> calls it with a real token of the school's client.</summary>
public sealed class AgentHost : WebApplicationFactory<Program>
{
    private readonly ConcurrentDictionary<string, (string Token, DateTimeOffset RenewAt)> _tokens = new();
    private readonly string _database;
    private readonly string _schoolCode;
    private readonly Uri? _authority;
    private readonly AgentCredentials _client;
    private readonly Uri? _tokenEndpoint;
    private readonly Func<HttpMessageHandler>? _authorityHandler;
    private readonly IReadOnlyDictionary<string, string> _settings;
    private readonly string? _environment;
    private readonly TimeProvider? _time;

    public AgentHost(string database, string schoolCode = "S110105001", Uri? authority = null, AgentCredentials? client = null,
        Uri? tokenEndpoint = null, Func<HttpMessageHandler>? authorityHandler = null, IReadOnlyDictionary<string, string>? settings = null,
        AuthorityHost? tokenServer = null, string? environment = null, TimeProvider? time = null)
    {
        _environment = environment;
        _time = time;
        TokenServer = tokenServer ?? SharedTokenServer.Instance;
        _settings = settings ?? new Dictionary<string, string>();
        _database = database;
        _schoolCode = schoolCode;
        _authority = authority;
        _client = client ?? AuthorityHost.ClientA;
        _tokenEndpoint = tokenEndpoint;
        _authorityHandler = authorityHandler;
    }

    /// <summary>The authority whose tokens the local API accepts.</summary>
    public AuthorityHost TokenServer { get; }

    /// <summary>The client the helpers call the local API as: the agent's own school's client.</summary>
    public AgentCredentials? SchoolClient => _schoolCode switch
    {
        AuthorityHost.SchoolA => AuthorityHost.ClientA,
        AuthorityHost.SchoolB => AuthorityHost.ClientB,
        _ => null,
    };

    /// <summary>What the agent's log said, at warning and above.</summary>
    public LogSink Log { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        if (_environment is not null)
        {
            builder.UseEnvironment(_environment);
        }
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
        builder.UseSetting("Authority:Issuer", TokenServer.Issuer.ToString());
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureLogging(l => l.AddProvider(Log));
        if (_time is not null)
        {
            builder.ConfigureServices(s => s.AddSingleton(_time));
        }
        if (TokenServer.InMemory)
        {
            // Discovery and JWKS come from the in-memory authority: the real metadata path, without a socket.
            builder.ConfigureServices(s => s.Configure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme,
                o => o.BackchannelHttpHandler = TokenServer.Handler()));
        }
        if (_authorityHandler is not null)
        {
            builder.ConfigureServices(s =>
            {
                s.AddHttpClient(nameof(W.SyncService.SyncServiceClient)).ConfigurePrimaryHttpMessageHandler(_authorityHandler);
                s.AddHttpClient(ClientCredentialsTokenSource.HttpClientName).ConfigurePrimaryHttpMessageHandler(_authorityHandler);
            });
        }
    }

    /// <summary>A channel without credentials.</summary>
    public GrpcChannel AnonymousChannel() =>
        GrpcChannel.ForAddress(Server.BaseAddress, new GrpcChannelOptions { HttpHandler = Server.CreateHandler() });

    /// <summary>A channel whose every call carries a token of <paramref name="client"/> (default: <see cref="SchoolClient"/>).</summary>
    public GrpcChannel Channel(AgentCredentials? client = null)
    {
        var caller = client ?? SchoolClient ?? throw new InvalidOperationException($"no client of school {_schoolCode} is seeded; pass one");
        var credentials = CallCredentials.FromInterceptor(async (_, metadata) => metadata.Add("Authorization", "Bearer " + await TokenAsync(caller)));
        return GrpcChannel.ForAddress(Server.BaseAddress, new GrpcChannelOptions
        {
            HttpHandler = Server.CreateHandler(),
            Credentials = ChannelCredentials.Create(ChannelCredentials.Insecure, credentials),
            UnsafeUseInsecureChannelCallCredentials = true,
        });
    }

    public W.SchoolRegisterService.SchoolRegisterServiceClient Client(AgentCredentials? client = null) => new(Channel(client));

    /// <summary>A token of <paramref name="client"/> from <see cref="TokenServer"/>, reused until half its lifetime is gone.</summary>
    public async Task<string> TokenAsync(AgentCredentials client)
    {
        if (_tokens.TryGetValue(client.ClientId, out var cached) && DateTimeOffset.UtcNow < cached.RenewAt)
        {
            return cached.Token;
        }
        var token = await TokenServer.TokenAsync(client);
        var jwt = new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(token);
        _tokens[client.ClientId] = (token, new DateTimeOffset(jwt.IssuedAt + (jwt.ValidTo - jwt.IssuedAt) / 2, TimeSpan.Zero));
        return token;
    }

    /// <summary>Runs a query against the agent's register.</summary>
    public async Task<T> QueryAsync<T>(Func<AgentDbContext, Task<T>> query)
    {
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AgentDbContext>();
        return await query(db);
    }

    public Task<List<OutboxEntry>> OutboxAsync() => QueryAsync(db => db.Outbox.AsNoTracking().OrderBy(o => o.Sequence).ToListAsync());
}
