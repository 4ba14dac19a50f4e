extern alias authority;

using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using W = RegistryExchange.Contracts.V1;

namespace RegistryExchange.Agent.Tests.Support;

/// <summary>
/// The real authority (src/RegistryExchange.Authority) in process on its own SQLite file, with development keys:
/// "key-a" is school S110105001, "key-b" school S310104001, "key-staff" authority staff. With a port it listens on
/// real Kestrel (for agents that dial it), otherwise on the in-memory test server.
/// </summary>
public sealed class AuthorityHost : WebApplicationFactory<authority::Program>
{
    public const string SchoolA = "S110105001";
    public const string KeyA = "key-a";
    public const string SchoolB = "S310104001";
    public const string KeyB = "key-b";
    public const string StaffKey = "key-staff";

    private readonly string _database;
    private readonly int? _port;

    public AuthorityHost(string database, int? port = null)
    {
        _database = database;
        _port = port;
        if (port is not null)
        {
            UseKestrel();
        }
    }

    public Uri Address => _port is { } port ? new Uri($"http://127.0.0.1:{port}") : Server.BaseAddress;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        var settings = new Dictionary<string, string>
        {
            ["Storage:Provider"] = "Sqlite",
            ["ConnectionStrings:Registry"] = $"Data Source={_database}",
            ["DevelopmentAuth:Enabled"] = "true",
            ["DevelopmentAuth:Clients:0:Key"] = KeyA,
            ["DevelopmentAuth:Clients:0:Role"] = "school",
            ["DevelopmentAuth:Clients:0:SchoolCode"] = SchoolA,
            ["DevelopmentAuth:Clients:1:Key"] = KeyB,
            ["DevelopmentAuth:Clients:1:Role"] = "school",
            ["DevelopmentAuth:Clients:1:SchoolCode"] = SchoolB,
            ["DevelopmentAuth:Clients:2:Key"] = StaffKey,
            ["DevelopmentAuth:Clients:2:Role"] = "staff",
            ["Schools:0:Code"] = SchoolA,
            ["Schools:0:Name"] = "北京市朝阳区示范中学",
            ["Schools:0:RegionCode"] = "110105",
            ["Schools:1:Code"] = SchoolB,
            ["Schools:1:Name"] = "上海市徐汇区实验中学",
            ["Schools:1:RegionCode"] = "310104",
            ["Kestrel:Endpoints:Grpc:Url"] = $"http://127.0.0.1:{(_port ?? 0).ToString(CultureInfo.InvariantCulture)}",
            ["Kestrel:Endpoints:Grpc:Protocols"] = "Http2",
        };
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
    }

    /// <summary>The handler agents use to reach the in-memory server.</summary>
    public HttpMessageHandler Handler() => Server.CreateHandler();

    public async Task<ulong> HighWaterMarkAsync(string key)
    {
        var channel = _port is null
            ? GrpcChannel.ForAddress(Server.BaseAddress, new GrpcChannelOptions { HttpHandler = Server.CreateHandler() })
            : GrpcChannel.ForAddress(Address);
        var client = new W.SyncService.SyncServiceClient(channel);
        var response = await client.GetHighWaterMarkAsync(new W.GetHighWaterMarkRequest(), new Metadata { { "Authorization", "Bearer " + key } });
        return response.HighWaterMark;
    }

    /// <summary>A port nobody listens on right now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
