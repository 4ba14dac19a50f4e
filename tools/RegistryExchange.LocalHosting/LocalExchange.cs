using Grpc.Core;
using Grpc.Net.Client;
using RegistryExchange.Contracts.V1;

namespace RegistryExchange.LocalHosting;

/// <summary>An authority and its school agents as real processes on loopback, each with its own SQLite file. The
/// authority's token server seeds a staff client, one agent client per school and a feed consumer, each with a random
/// secret; agents and the helpers here get real access tokens from its token endpoint. Agents run in Development (plain
/// HTTP discovery on loopback) and their local API accepts only tokens of their own school's client.</summary>
public sealed class LocalExchange : IAsyncDisposable
{
    public const string StaffClientId = "rx-staff";
    public const string FeedClientId = "rx-feed";
    private readonly List<GrpcChannel> _channels = [];

    private LocalExchange(string workDirectory, HostProcess authority, Uri tokenEndpoint, OAuthClient staff, OAuthClient feed,
        IReadOnlyList<School> schools)
    {
        WorkDirectory = workDirectory;
        Authority = authority;
        TokenEndpoint = tokenEndpoint;
        Staff = staff;
        FeedConsumer = feed;
        Schools = schools;
        Tokens = new ClientTokens(tokenEndpoint);
    }

    public sealed record School(string Code, string Name, string RegionCode, OAuthClient Client, HostProcess Agent);

    public string WorkDirectory { get; }
    public HostProcess Authority { get; }
    /// <summary>The authority's OAuth token endpoint (its HTTP/1.1 web endpoint, beside the gRPC one).</summary>
    public Uri TokenEndpoint { get; }
    /// <summary>Authority staff: every staff scope (admin, audit, feed, ...).</summary>
    public OAuthClient Staff { get; }
    public OAuthClient FeedConsumer { get; }
    public IReadOnlyList<School> Schools { get; }
    public ClientTokens Tokens { get; }

    /// <summary>Lays out an exchange under <see cref="LocalExchangeOptions.WorkDirectory"/> without starting it.</summary>
    public static LocalExchange Create(LocalExchangeOptions options)
    {
        var dir = options.WorkDirectory ?? RepoPaths.NewWorkDirectory(options.Name);
        Directory.CreateDirectory(dir);
        var authorityPort = options.AuthorityPort > 0 ? options.AuthorityPort : HostProcess.FreePort();
        var webPort = options.AuthorityWebPort > 0 ? options.AuthorityWebPort : HostProcess.FreePort();
        var issuer = new Uri($"http://127.0.0.1:{webPort.ToString(System.Globalization.CultureInfo.InvariantCulture)}/");
        var tokenEndpoint = new Uri(issuer, "connect/token");
        var staff = new OAuthClient(StaffClientId, NewSecret());
        var feed = new OAuthClient(FeedClientId, NewSecret());
        var settings = new Dictionary<string, string>
        {
            ["Storage:Provider"] = "Sqlite",
            ["ConnectionStrings:Registry"] = $"Data Source={Path.Combine(dir, "authority.db")}",
            // The token server: plain HTTP on loopback (the authority allows it in Development only), keys kept in the
            // work directory so tokens survive an authority restart.
            ["Identity:Issuer"] = issuer.ToString(),
            ["Identity:KeyDirectory"] = Path.Combine(dir, "identity-keys"),
            ["Audit:KeyDirectory"] = Path.Combine(dir, "audit-keys"),
            ["Kestrel:Endpoints:Web:Url"] = issuer.ToString().TrimEnd('/'),
            ["Kestrel:Endpoints:Web:Protocols"] = "Http1",
        };
        var seeds = new List<(OAuthClient Client, string Kind, string SchoolCode, string Name)>
        {
            (staff, "Staff", "", "local exchange staff"),
        };
        var specs = new List<(string Code, string Name, string Region, OAuthClient Client)>();
        for (var i = 0; i < options.SchoolCount; i++)
        {
            var region = Regions[i % Regions.Length];
            var code = "1" + region[..2] + (1000000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var client = new OAuthClient("agent-" + code, NewSecret());
            specs.Add((code, SchoolNames[i % SchoolNames.Length], region, client));
            settings[$"Schools:{i}:Code"] = code;
            settings[$"Schools:{i}:Name"] = SchoolNames[i % SchoolNames.Length];
            settings[$"Schools:{i}:RegionCode"] = region;
            seeds.Add((client, "SchoolAgent", code, $"agent of {code}"));
        }
        seeds.Add((feed, "FeedConsumer", "", "local exchange feed consumer"));
        for (var i = 0; i < seeds.Count; i++)
        {
            // Every field is set: the authority's development settings may seed entries at the same indexes.
            var (client, kind, schoolCode, name) = seeds[i];
            settings[$"Identity:SeedClients:{i}:ClientId"] = client.ClientId;
            settings[$"Identity:SeedClients:{i}:ClientSecret"] = client.ClientSecret;
            settings[$"Identity:SeedClients:{i}:Kind"] = kind;
            settings[$"Identity:SeedClients:{i}:SchoolCode"] = schoolCode;
            settings[$"Identity:SeedClients:{i}:DisplayName"] = name;
            settings[$"Identity:SeedClients:{i}:JsonWebKeySet"] = "";
        }
        foreach (var (k, v) in options.AuthoritySettings)
        {
            settings[k] = v;
        }
        var authority = new HostProcess("authority", RepoPaths.AuthorityDll, authorityPort, settings, dir, environment: "Development");
        var schools = specs.Select((s, i) =>
        {
            var agentConfig = new Dictionary<string, string>
            {
                ["School:Code"] = s.Code,
                ["Authority:Url"] = authority.Address.ToString().TrimEnd('/'),
                ["Authority:TokenEndpoint"] = tokenEndpoint.ToString(),
                // The local API trusts this issuer's tokens of the school's clients (docs/decisions/0008).
                ["Authority:Issuer"] = issuer.ToString(),
                ["Authority:ClientId"] = s.Client.ClientId,
                ["Authority:ClientSecret"] = s.Client.ClientSecret,
                ["ConnectionStrings:Register"] = $"Data Source={Path.Combine(dir, $"agent-{i + 1}.db")}",
            };
            foreach (var (k, v) in options.AgentSettings)
            {
                agentConfig[k] = v;
            }
            var port = options.FirstAgentPort > 0 ? options.FirstAgentPort + i : HostProcess.FreePort();
            // Development: the agent reads the issuer's discovery document and JWKS over plain HTTP on loopback.
            var agent = new HostProcess($"agent-{i + 1}", RepoPaths.AgentDll, port, agentConfig, dir, environment: "Development");
            return new School(s.Code, s.Name, s.Region, s.Client, agent);
        }).ToList();
        return new LocalExchange(dir, authority, tokenEndpoint, staff, feed, schools);
    }

    /// <summary>32 random bytes, base64url: what the authority itself generates.</summary>
    private static string NewSecret() =>
        Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static readonly string[] Regions = ["110105", "310104", "440106", "510107"];
    private static readonly string[] SchoolNames = ["北京市朝阳区第一中学", "上海市徐汇区实验中学", "广州市天河区育才学校", "成都市青羊区树德中学"];

    public async Task StartAllAsync()
    {
        await Authority.StartAsync();
        foreach (var school in Schools)
        {
            await school.Agent.StartAsync();
        }
    }

    /// <summary>A channel to a host; with a client, every call carries that client's access token.</summary>
    public GrpcChannel Channel(HostProcess host, OAuthClient? client = null)
    {
        var options = new GrpcChannelOptions { MaxReceiveMessageSize = 64 * 1024 * 1024, MaxSendMessageSize = 64 * 1024 * 1024 };
        if (client is not null)
        {
            var credentials = CallCredentials.FromInterceptor(async (context, metadata) =>
                metadata.Add("Authorization", "Bearer " + await Tokens.GetAsync(client, context.CancellationToken)));
            options.Credentials = ChannelCredentials.Create(ChannelCredentials.Insecure, credentials);
            options.UnsafeUseInsecureChannelCallCredentials = true;
        }
        var channel = GrpcChannel.ForAddress(host.Address, options);
        _channels.Add(channel);
        return channel;
    }

    /// <summary>The school's agent, called with a token of the school's client (the only kind its local API accepts).</summary>
    public SchoolRegisterService.SchoolRegisterServiceClient Register(School school) => new(Channel(school.Agent, school.Client));
    public SyncService.SyncServiceClient Sync(School school) => new(Channel(Authority, school.Client));
    public ChangeFeedService.ChangeFeedServiceClient Feed() => new(Channel(Authority, Staff));

    /// <summary>Reads the whole feed as it stands.</summary>
    public async Task<List<FeedEntry>> ReadFeedAsync(long afterVersion = 0)
    {
        var entries = new List<FeedEntry>();
        using var call = Feed().SubscribeChanges(new SubscribeChangesRequest { AfterVersion = afterVersion, Follow = false },
            deadline: DateTime.UtcNow.AddMinutes(2));
        await foreach (var response in call.ResponseStream.ReadAllAsync())
        {
            entries.AddRange(response.Entries);
        }
        return entries;
    }

    /// <summary>Polls until the authority has applied every change the agent made; fails with the agent's state.</summary>
    public async Task WaitUntilSyncedAsync(School school, TimeSpan timeout)
    {
        var register = Register(school);
        var deadline = DateTime.UtcNow + timeout;
        GetSyncStatusResponse? status = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                status = await register.GetSyncStatusAsync(new GetSyncStatusRequest(), deadline: DateTime.UtcNow.AddSeconds(5));
                if (status.PendingChanges == 0 && status.AuthorityHighWaterMark == status.LastLocalSequence)
                {
                    return;
                }
            }
            catch (RpcException)
            {
                // agent restarting
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"{school.Code} not synced within {timeout}: {status}\n{school.Agent.Tail()}\n{Authority.Tail()}");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var channel in _channels)
        {
            channel.Dispose();
        }
        foreach (var school in Schools)
        {
            await school.Agent.DisposeAsync();
        }
        await Authority.DisposeAsync();
        Tokens.Dispose();
    }
}
