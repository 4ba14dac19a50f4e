extern alias authority;

using System.Globalization;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using RegistryExchange.LocalHosting;
using W = RegistryExchange.Contracts.V1;

namespace RegistryExchange.Agent.Tests.Support;

/// <summary>
/// The real authority (src/RegistryExchange.Authority) in process on its own SQLite file, with its token server
/// seeding agent clients for schools S110105001 (<see cref="ClientA"/>) and S310104001 (<see cref="ClientB"/>), a
/// staff client and a feed consumer. With ports it listens on real Kestrel (gRPC and the HTTP/1.1 token endpoint, for agents that dial
/// it), otherwise on the in-memory test server.
/// </summary>
public sealed class AuthorityHost : WebApplicationFactory<authority::Program>
{
    public const string SchoolA = "S110105001";
    public const string SchoolB = "S310104001";
    public static readonly AgentCredentials ClientA = new("agent-a", "agent-a-secret-for-tests-only");
    public static readonly AgentCredentials ClientB = new("agent-b", "agent-b-secret-for-tests-only");
    public static readonly AgentCredentials Staff = new("staff", "staff-secret-for-tests-only");
    public static readonly AgentCredentials FeedConsumer = new("feed", "feed-secret-for-tests-only");

    private readonly string _database;
    private readonly int? _port;
    private readonly int? _webPort;
    private readonly IReadOnlyDictionary<string, string> _settings;

    public AuthorityHost(string database, int? port = null, int? webPort = null, IReadOnlyDictionary<string, string>? settings = null)
    {
        _database = database;
        _port = port;
        _webPort = port is null ? null : webPort ?? FreePort();
        _settings = settings ?? new Dictionary<string, string>();
        if (port is not null)
        {
            UseKestrel();
        }
    }

    /// <summary>On the in-memory test server (no ports): reached through <see cref="Handler"/>.</summary>
    public bool InMemory => _port is null;

    public Uri Address => _port is { } port ? new Uri($"http://127.0.0.1:{port}") : Server.BaseAddress;

    /// <summary>The issuer: the web endpoint on Kestrel, the test server's address otherwise.</summary>
    public Uri Issuer => _webPort is { } web ? new Uri($"http://127.0.0.1:{web}/") : new Uri("http://localhost/");

    public Uri TokenEndpoint => new(Issuer, "connect/token");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        // "Testing": plain HTTP for the token server, as in Development, without the development seed clients.
        builder.UseEnvironment("Testing");
        var settings = new Dictionary<string, string>
        {
            ["Storage:Provider"] = "Sqlite",
            ["ConnectionStrings:Registry"] = $"Data Source={_database}",
            ["Identity:Issuer"] = Issuer.ToString(),
            ["Identity:KeyDirectory"] = Path.Combine(Path.GetDirectoryName(_database)!, "identity-keys"),
            ["Identity:SeedClients:0:ClientId"] = ClientA.ClientId,
            ["Identity:SeedClients:0:ClientSecret"] = ClientA.ClientSecret,
            ["Identity:SeedClients:0:Kind"] = "SchoolAgent",
            ["Identity:SeedClients:0:SchoolCode"] = SchoolA,
            ["Identity:SeedClients:1:ClientId"] = ClientB.ClientId,
            ["Identity:SeedClients:1:ClientSecret"] = ClientB.ClientSecret,
            ["Identity:SeedClients:1:Kind"] = "SchoolAgent",
            ["Identity:SeedClients:1:SchoolCode"] = SchoolB,
            ["Identity:SeedClients:2:ClientId"] = Staff.ClientId,
            ["Identity:SeedClients:2:ClientSecret"] = Staff.ClientSecret,
            ["Identity:SeedClients:2:Kind"] = "Staff",
            ["Identity:SeedClients:3:ClientId"] = FeedConsumer.ClientId,
            ["Identity:SeedClients:3:ClientSecret"] = FeedConsumer.ClientSecret,
            ["Identity:SeedClients:3:Kind"] = "FeedConsumer",
            ["Schools:0:Code"] = SchoolA,
            ["Schools:0:Name"] = "北京市朝阳区示范中学",
            ["Schools:0:RegionCode"] = "110105",
            ["Schools:1:Code"] = SchoolB,
            ["Schools:1:Name"] = "上海市徐汇区实验中学",
            ["Schools:1:RegionCode"] = "310104",
            ["Kestrel:Endpoints:Grpc:Url"] = $"http://127.0.0.1:{(_port ?? 0).ToString(CultureInfo.InvariantCulture)}",
            ["Kestrel:Endpoints:Grpc:Protocols"] = "Http2",
            ["Kestrel:Endpoints:Web:Url"] = $"http://127.0.0.1:{(_webPort ?? 0).ToString(CultureInfo.InvariantCulture)}",
            ["Kestrel:Endpoints:Web:Protocols"] = "Http1",
        };
        foreach (var (key, value) in _settings)
        {
            settings[key] = value;
        }
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
    }

    /// <summary>The handler agents use to reach the in-memory server (gRPC and the token endpoint).</summary>
    public HttpMessageHandler Handler() => Server.CreateHandler();

    /// <summary>An access token for <paramref name="client"/> from the token endpoint.</summary>
    public async Task<string> TokenAsync(AgentCredentials client, string? scopes = null)
    {
        using var http = _port is null ? new HttpClient(Server.CreateHandler()) : new HttpClient();
        var response = await Duende.IdentityModel.Client.HttpClientTokenRequestExtensions.RequestClientCredentialsTokenAsync(http,
            new Duende.IdentityModel.Client.ClientCredentialsTokenRequest { Address = TokenEndpoint.ToString(), ClientId = client.ClientId, ClientSecret = client.ClientSecret, Scope = scopes });
        return response.IsError ? throw new InvalidOperationException($"no token for {client.ClientId}: {response.Error} {response.ErrorDescription}") : response.AccessToken!;
    }

    public async Task<ulong> HighWaterMarkAsync(AgentCredentials client)
    {
        var channel = _port is null
            ? GrpcChannel.ForAddress(Server.BaseAddress, new GrpcChannelOptions { HttpHandler = Server.CreateHandler() })
            : GrpcChannel.ForAddress(Address);
        var client2 = new W.SyncService.SyncServiceClient(channel);
        var response = await client2.GetHighWaterMarkAsync(new W.GetHighWaterMarkRequest(),
            new Metadata { { "Authorization", "Bearer " + await TokenAsync(client) } }, DateTime.UtcNow.AddSeconds(30));
        return response.HighWaterMark;
    }

    /// <summary>One source of free ports for the whole test process (<see cref="HostProcess.FreePort"/>).</summary>
    public static int FreePort() => HostProcess.FreePort();
}

/// <summary>
/// One in-memory authority for the whole test run, for agents whose tests need no authority of their own: their local
/// API still needs a token server to trust, and starting one per test would only cost time. Never stopped.
/// </summary>
public static class SharedTokenServer
{
    private static readonly Lazy<AuthorityHost> Lazy = new(() =>
    {
        var directory = Directory.CreateTempSubdirectory("rx-agent-tests-token-server-").FullName;
        var host = new AuthorityHost(Path.Combine(directory, "authority.db"));
        _ = host.Server;
        return host;
    });

    public static AuthorityHost Instance => Lazy.Value;
}

/// <summary>A client id and secret at the authority's token server.</summary>
public sealed record AgentCredentials(string ClientId, string ClientSecret)
{
    public override string ToString() => ClientId;
}
