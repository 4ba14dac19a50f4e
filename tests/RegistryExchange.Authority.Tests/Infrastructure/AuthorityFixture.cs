using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RegistryExchange.Storage;

namespace RegistryExchange.Authority.Tests.Infrastructure;

/// <summary>A school a test owns alone: its own code, agent client (<see cref="Key"/> is its client id) and sequence numbers.</summary>
public sealed record TestSchool(string Code, string Key, string RegionCode);

/// <summary>
/// The authority in process on a database and a signing key directory of its own, created for one test class and
/// dropped after it. Schools T001..T080 (region 110105) are configured, each with a seeded agent client
/// "agent-T0nn"; tests take one each so they never share sequence numbers. Clients "test-staff" and "test-feed" are
/// authority staff and a feed reader. Channels carry real access tokens from the server's /connect/token.
/// </summary>
public abstract class AuthorityFixture : IAsyncLifetime
{
    public const string StaffKey = "test-staff";
    public const string FeedKey = "test-feed";
    public const string Issuer = "http://localhost/";
    public const string RegionCode = "110105";
    public const int MaxReceiveMessageBytes = 4 * 1024 * 1024;
    private const int SchoolCount = 80;
    private int _schoolsTaken;
    private string? _connectionString;
    private WebApplicationFactory<Program>? _factory;
    private WebApplicationFactory<Program>? _secondInstance;
    private readonly ConcurrentDictionary<string, Task<string>> _tokens = new(StringComparer.Ordinal);
    private readonly string _keyDirectory = Path.Combine(Path.GetTempPath(), $"rx-authority-keys-{Guid.NewGuid():N}");

    public abstract string Provider { get; }
    public virtual string IngestMode => "Bulk";
    /// <summary>Every log line of every instance, at every level.</summary>
    public LogSink Logs { get; } = new();
    public WebApplicationFactory<Program> Factory => _factory ?? throw new InvalidOperationException("The fixture is not initialised.");

    /// <summary>Creates the database and returns its connection string.</summary>
    protected abstract Task<string> CreateDatabaseAsync();
    protected abstract Task DropDatabaseAsync();

    public async Task InitializeAsync()
    {
        _connectionString = await CreateDatabaseAsync();
        _factory = StartInstance(_connectionString);
    }

    /// <summary>Another authority instance on the same database, as in a multi-instance deployment.</summary>
    public WebApplicationFactory<Program> SecondInstance =>
        _secondInstance ??= StartInstance(_connectionString ?? throw new InvalidOperationException("The fixture is not initialised."));

    /// <summary>Another host on this fixture's database and keys, changed by <paramref name="configure"/>; the caller disposes it.</summary>
    /// <remarks>With <paramref name="kestrel"/> it listens on real sockets (the endpoints its settings name).</remarks>
    public WebApplicationFactory<Program> StartCustomInstance(Action<IWebHostBuilder> configure, bool kestrel = false) =>
        StartInstance(_connectionString ?? throw new InvalidOperationException("The fixture is not initialised."), configure, kestrel);

    private WebApplicationFactory<Program> StartInstance(string connectionString, Action<IWebHostBuilder>? configure = null, bool kestrel = false)
    {
        var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            // "Testing" is a development profile: plain HTTP to the token endpoint is allowed (production: HTTPS only).
            b.UseEnvironment("Testing");
            b.ConfigureLogging(logging => logging.AddProvider(Logs).SetMinimumLevel(LogLevel.Trace));
            foreach (var (key, value) in Settings(connectionString))
            {
                b.UseSetting(key, value);
            }
            configure?.Invoke(b);
        });
        if (kestrel)
        {
            factory.UseKestrel();
            factory.StartServer();
        }
        else
        {
            _ = factory.Server; // starts the host: migrations and seeding run now
        }
        return factory;
    }

    public async Task DisposeAsync()
    {
        foreach (var factory in new[] { _secondInstance, _factory })
        {
            if (factory is not null)
            {
                await factory.DisposeAsync();
            }
        }
        await DropDatabaseAsync();
        if (Directory.Exists(_keyDirectory))
        {
            Directory.Delete(_keyDirectory, recursive: true);
        }
    }

    private IEnumerable<(string, string)> Settings(string connectionString)
    {
        yield return ("Storage:Provider", Provider);
        yield return ("ConnectionStrings:Registry", connectionString);
        yield return ("Ingest:Mode", IngestMode);
        yield return ("Grpc:MaxReceiveMessageBytes", MaxReceiveMessageBytes.ToString(CultureInfo.InvariantCulture));
        yield return ("Grpc:EnableReflection", "true");
        yield return ("Feed:PollInterval", "00:00:00.200");
        yield return ("Identity:Issuer", Issuer);
        yield return ("Identity:KeyDirectory", _keyDirectory);
        yield return ("Identity:SeedClients:0:ClientId", StaffKey);
        yield return ("Identity:SeedClients:0:ClientSecret", SecretOf(StaffKey));
        yield return ("Identity:SeedClients:0:Kind", "Staff");
        yield return ("Identity:SeedClients:1:ClientId", FeedKey);
        yield return ("Identity:SeedClients:1:ClientSecret", SecretOf(FeedKey));
        yield return ("Identity:SeedClients:1:Kind", "FeedConsumer");
        for (var i = 1; i <= SchoolCount; i++)
        {
            var code = SchoolCode(i);
            yield return ($"Schools:{i}:Code", code);
            yield return ($"Schools:{i}:Name", $"测试学校{i}");
            yield return ($"Schools:{i}:RegionCode", RegionCode);
            yield return ($"Identity:SeedClients:{i + 1}:ClientId", AgentOf(code));
            yield return ($"Identity:SeedClients:{i + 1}:ClientSecret", SecretOf(AgentOf(code)));
            yield return ($"Identity:SeedClients:{i + 1}:Kind", "SchoolAgent");
            yield return ($"Identity:SeedClients:{i + 1}:SchoolCode", code);
        }
        foreach (var (key, value) in ExtraSettings())
        {
            yield return (key, value);
        }
    }

    /// <summary>More settings for a derived fixture (e.g. more seed clients, from index 100).</summary>
    protected virtual IEnumerable<(string Key, string Value)> ExtraSettings() => [];

    public static string AgentOf(string schoolCode) => "agent-" + schoolCode;

    /// <summary>The seeded secret of a test client. Test-only; never a real secret.</summary>
    public static string SecretOf(string clientId) => "test-secret-of-" + clientId;

    /// <summary>The fixture's signing key directory.</summary>
    public string KeyDirectory => _keyDirectory;

    private static string SchoolCode(int i) => "T" + i.ToString("D3", CultureInfo.InvariantCulture);

    public TestSchool NewSchool()
    {
        var i = Interlocked.Increment(ref _schoolsTaken);
        if (i > SchoolCount)
        {
            throw new InvalidOperationException($"A test class may use at most {SchoolCount} schools.");
        }
        return new TestSchool(SchoolCode(i), AgentOf(SchoolCode(i)), RegionCode);
    }

    /// <summary>A channel to the in-process server with an access token of seeded client <paramref name="clientId"/> (no token when null).</summary>
    public GrpcChannel Channel(string? clientId) => Channel(Factory, clientId);

    /// <summary>A channel to <paramref name="instance"/> with a token of <paramref name="clientId"/> from this fixture's token endpoint.</summary>
    public GrpcChannel Channel(WebApplicationFactory<Program> instance, string? clientId) =>
        ChannelWith(instance, clientId is null ? null : ct => CachedTokenAsync(clientId, ct));

    /// <summary>A channel sending <paramref name="token"/> as the bearer token as it is (forged, expired, garbage).</summary>
    public GrpcChannel ChannelWithToken(string? token) => ChannelWith(Factory, token is null ? null : _ => Task.FromResult(token));

    public static GrpcChannel ChannelWith(WebApplicationFactory<Program> instance, Func<CancellationToken, Task<string>>? token) =>
        GrpcChannel.ForAddress(instance.Server.BaseAddress, new GrpcChannelOptions
        {
            HttpHandler = new BearerTokenHandler(token) { InnerHandler = instance.Server.CreateHandler() },
            MaxReceiveMessageSize = null,
            MaxSendMessageSize = null,
        });

    /// <summary>One token per client for the fixture's life (tokens live 10 minutes; a test class takes far less).</summary>
    private Task<string> CachedTokenAsync(string clientId, CancellationToken ct) =>
        _tokens.GetOrAdd(clientId, id => RequestTokenAsync(id, SecretOf(id), null, null, CancellationToken.None));

    /// <summary>A fresh token from /connect/token; fails the test when the server refuses.</summary>
    public async Task<string> RequestTokenAsync(string clientId, string secret, string? scope = null,
        WebApplicationFactory<Program>? instance = null, CancellationToken ct = default)
    {
        using var response = await PostTokenRequestAsync(clientId, secret, scope, instance, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"The token endpoint refused {clientId}: {(int)response.StatusCode} {body}");
        }
        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("access_token").GetString()!;
    }

    /// <summary>The raw client credentials request (secret in the form body).</summary>
    public async Task<HttpResponseMessage> PostTokenRequestAsync(string clientId, string secret, string? scope = null,
        WebApplicationFactory<Program>? instance = null, CancellationToken ct = default)
    {
        using var http = (instance ?? Factory).CreateClient();
        var form = new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["client_id"] = clientId, ["client_secret"] = secret };
        if (scope is not null)
        {
            form["scope"] = scope;
        }
        using var content = new FormUrlEncodedContent(form);
        return await http.PostAsync(new Uri("connect/token", UriKind.Relative), content, ct);
    }

    public AuthorityDbContext OpenDb() =>
        Factory.Services.GetRequiredService<IDbContextFactory<AuthorityDbContext>>().CreateDbContext();

    private sealed class BearerTokenHandler(Func<CancellationToken, Task<string>>? token) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (token is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await token(cancellationToken));
            }
            return await base.SendAsync(request, cancellationToken);
        }
    }
}
