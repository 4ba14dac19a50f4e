using System.Globalization;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RegistryExchange.Storage;

namespace RegistryExchange.Authority.Tests.Infrastructure;

/// <summary>A school a test owns alone: its own code, key and sequence numbers.</summary>
public sealed record TestSchool(string Code, string Key, string RegionCode);

/// <summary>
/// The authority in process on a database of its own, created for one test class and dropped after it.
/// Schools T001..T080 (region 110105) are configured, each with key "key-T0nn"; tests take one each so they
/// never share sequence numbers. Keys "key-staff" and "key-feed" are authority staff and a feed reader.
/// </summary>
public abstract class AuthorityFixture : IAsyncLifetime
{
    public const string StaffKey = "key-staff";
    public const string FeedKey = "key-feed";
    public const string RegionCode = "110105";
    public const int MaxReceiveMessageBytes = 4 * 1024 * 1024;
    private const int SchoolCount = 80;
    private int _schoolsTaken;
    private string? _connectionString;
    private WebApplicationFactory<Program>? _factory;
    private WebApplicationFactory<Program>? _secondInstance;

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

    private WebApplicationFactory<Program> StartInstance(string connectionString)
    {
        var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseEnvironment("Testing");
            b.ConfigureLogging(logging => logging.AddProvider(Logs).SetMinimumLevel(LogLevel.Trace));
            foreach (var (key, value) in Settings(connectionString))
            {
                b.UseSetting(key, value);
            }
        });
        _ = factory.Server; // starts the host: migrations and seeding run now
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
    }

    private IEnumerable<(string, string)> Settings(string connectionString)
    {
        yield return ("Storage:Provider", Provider);
        yield return ("ConnectionStrings:Registry", connectionString);
        yield return ("Ingest:Mode", IngestMode);
        yield return ("Grpc:MaxReceiveMessageBytes", MaxReceiveMessageBytes.ToString(CultureInfo.InvariantCulture));
        yield return ("Grpc:EnableReflection", "true");
        yield return ("Feed:PollInterval", "00:00:00.200");
        yield return ("DevelopmentAuth:Enabled", "true");
        yield return ("DevelopmentAuth:Clients:0:Key", StaffKey);
        yield return ("DevelopmentAuth:Clients:0:Role", "staff");
        yield return ("DevelopmentAuth:Clients:1:Key", FeedKey);
        yield return ("DevelopmentAuth:Clients:1:Role", "feed");
        for (var i = 1; i <= SchoolCount; i++)
        {
            var code = SchoolCode(i);
            yield return ($"Schools:{i}:Code", code);
            yield return ($"Schools:{i}:Name", $"测试学校{i}");
            yield return ($"Schools:{i}:RegionCode", RegionCode);
            yield return ($"DevelopmentAuth:Clients:{i + 1}:Key", "key-" + code);
            yield return ($"DevelopmentAuth:Clients:{i + 1}:Role", "school");
            yield return ($"DevelopmentAuth:Clients:{i + 1}:SchoolCode", code);
        }
    }

    private static string SchoolCode(int i) => "T" + i.ToString("D3", CultureInfo.InvariantCulture);

    public TestSchool NewSchool()
    {
        var i = Interlocked.Increment(ref _schoolsTaken);
        if (i > SchoolCount)
        {
            throw new InvalidOperationException($"A test class may use at most {SchoolCount} schools.");
        }
        return new TestSchool(SchoolCode(i), "key-" + SchoolCode(i), RegionCode);
    }

    /// <summary>A channel to the in-process server, sending <paramref name="key"/> as a bearer key (none when null).</summary>
    public GrpcChannel Channel(string? key) => Channel(Factory, key);

    public static GrpcChannel Channel(WebApplicationFactory<Program> instance, string? key) => GrpcChannel.ForAddress(instance.Server.BaseAddress, new GrpcChannelOptions
    {
        HttpHandler = new BearerKeyHandler(key) { InnerHandler = instance.Server.CreateHandler() },
        MaxReceiveMessageSize = null,
        MaxSendMessageSize = null,
    });

    public AuthorityDbContext OpenDb() =>
        Factory.Services.GetRequiredService<IDbContextFactory<AuthorityDbContext>>().CreateDbContext();

    private sealed class BearerKeyHandler(string? key) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (key is not null)
            {
                request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
            }
            return base.SendAsync(request, cancellationToken);
        }
    }
}
