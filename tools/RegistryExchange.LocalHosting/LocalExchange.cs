using Grpc.Core;
using Grpc.Net.Client;
using RegistryExchange.Contracts.V1;

namespace RegistryExchange.LocalHosting;

/// <summary>An authority and its school agents as real processes on loopback, each with its own SQLite file.</summary>
public sealed class LocalExchange : IAsyncDisposable
{
    public const string StaffKey = "staff-dev-key";
    private readonly List<GrpcChannel> _channels = [];

    private LocalExchange(string workDirectory, HostProcess authority, IReadOnlyList<School> schools)
    {
        WorkDirectory = workDirectory;
        Authority = authority;
        Schools = schools;
    }

    public sealed record School(string Code, string Name, string RegionCode, string Key, HostProcess Agent);

    public string WorkDirectory { get; }
    public HostProcess Authority { get; }
    public IReadOnlyList<School> Schools { get; }

    /// <summary>Lays out an exchange under <see cref="LocalExchangeOptions.WorkDirectory"/> without starting it.</summary>
    public static LocalExchange Create(LocalExchangeOptions options)
    {
        var dir = options.WorkDirectory ?? RepoPaths.NewWorkDirectory(options.Name);
        Directory.CreateDirectory(dir);
        var authorityPort = options.AuthorityPort > 0 ? options.AuthorityPort : HostProcess.FreePort();
        var settings = new Dictionary<string, string>
        {
            ["Storage:Provider"] = "Sqlite",
            ["ConnectionStrings:Registry"] = $"Data Source={Path.Combine(dir, "authority.db")}",
            ["DevelopmentAuth:Enabled"] = "true",
            ["DevelopmentAuth:Clients:0:Key"] = StaffKey,
            ["DevelopmentAuth:Clients:0:Role"] = "staff",
        };
        var specs = new List<(string Code, string Name, string Region, string Key)>();
        for (var i = 0; i < options.SchoolCount; i++)
        {
            var region = Regions[i % Regions.Length];
            var code = "1" + region[..2] + (1000000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var key = $"school-{i + 1}-dev-key";
            specs.Add((code, SchoolNames[i % SchoolNames.Length], region, key));
            settings[$"Schools:{i}:Code"] = code;
            settings[$"Schools:{i}:Name"] = SchoolNames[i % SchoolNames.Length];
            settings[$"Schools:{i}:RegionCode"] = region;
            settings[$"DevelopmentAuth:Clients:{i + 1}:Key"] = key;
            settings[$"DevelopmentAuth:Clients:{i + 1}:Role"] = "school";
            settings[$"DevelopmentAuth:Clients:{i + 1}:SchoolCode"] = code;
        }
        foreach (var (k, v) in options.AuthoritySettings)
        {
            settings[k] = v;
        }
        var authority = new HostProcess("authority", RepoPaths.AuthorityDll, authorityPort, settings, dir);
        var schools = specs.Select((s, i) =>
        {
            var agentConfig = new Dictionary<string, string>
            {
                ["School:Code"] = s.Code,
                ["Authority:Url"] = authority.Address.ToString().TrimEnd('/'),
                ["Authority:ApiKey"] = s.Key,
                ["ConnectionStrings:Register"] = $"Data Source={Path.Combine(dir, $"agent-{i + 1}.db")}",
            };
            foreach (var (k, v) in options.AgentSettings)
            {
                agentConfig[k] = v;
            }
            var port = options.FirstAgentPort > 0 ? options.FirstAgentPort + i : HostProcess.FreePort();
            var agent = new HostProcess($"agent-{i + 1}", RepoPaths.AgentDll, port, agentConfig, dir);
            return new School(s.Code, s.Name, s.Region, s.Key, agent);
        }).ToList();
        return new LocalExchange(dir, authority, schools);
    }

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

    public GrpcChannel Channel(HostProcess host, string? bearer = null)
    {
        var options = new GrpcChannelOptions { MaxReceiveMessageSize = 64 * 1024 * 1024 };
        if (bearer is not null)
        {
            var credentials = CallCredentials.FromInterceptor((_, metadata) =>
            {
                metadata.Add("Authorization", "Bearer " + bearer);
                return Task.CompletedTask;
            });
            options.Credentials = ChannelCredentials.Create(ChannelCredentials.Insecure, credentials);
            options.UnsafeUseInsecureChannelCallCredentials = true;
        }
        var channel = GrpcChannel.ForAddress(host.Address, options);
        _channels.Add(channel);
        return channel;
    }

    public SchoolRegisterService.SchoolRegisterServiceClient Register(School school) => new(Channel(school.Agent));
    public SyncService.SyncServiceClient Sync(School school) => new(Channel(Authority, school.Key));
    public ChangeFeedService.ChangeFeedServiceClient Feed() => new(Channel(Authority, StaffKey));

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
    }
}
