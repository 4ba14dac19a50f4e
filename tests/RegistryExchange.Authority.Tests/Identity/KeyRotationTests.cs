using System.Net.Http.Json;
using System.Text.Json;
using Grpc.Core;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Quartz;
using RegistryExchange.Authority.Identity;
using RegistryExchange.Authority.Tests.Infrastructure;
using W = RegistryExchange.Contracts.V1;

namespace RegistryExchange.Authority.Tests.Identity;

/// <summary>
/// Time-dependent token rules on an authority instance whose clock is a <see cref="FakeTimeProvider"/> and whose key
/// ring lives in a directory of its own. Rotation settings: a key signs 30 days, its successor is published 1 day
/// ahead, a retired key stays published 1 day.
/// </summary>
[Trait("Database", "SQLite")]
public sealed class KeyRotationTests(SqliteFixture fixture) : AuthorityTestBase(fixture), IClassFixture<SqliteFixture>, IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly string _keys = Path.Combine(Path.GetTempPath(), $"rx-rotation-keys-{Guid.NewGuid():N}");
    private WebApplicationFactory<Program>? _instance;
    private TestSchool? _school;

    private WebApplicationFactory<Program> Instance => _instance!;
    private SigningKeyRing Ring => Instance.Services.GetRequiredService<SigningKeyRing>();

    public Task InitializeAsync()
    {
        _instance = Fixture.StartCustomInstance(b =>
        {
            b.UseSetting("Identity:KeyDirectory", _keys);
            b.UseSetting("Identity:KeyRotationInterval", "30.00:00:00");
            b.UseSetting("Identity:KeyPublishLead", "1.00:00:00");
            b.UseSetting("Identity:KeyOverlap", "1.00:00:00");
            b.ConfigureTestServices(s => s.AddSingleton<TimeProvider>(_time));
        });
        _school = Fixture.NewSchool();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (_instance is not null)
        {
            await _instance.DisposeAsync();
        }
        if (Directory.Exists(_keys))
        {
            Directory.Delete(_keys, recursive: true);
        }
    }

    private Task<string> TokenAsync() => TokenAsync(_school!.Key, AuthorityFixture.SecretOf(_school.Key));

    /// <summary>From this instance's token endpoint: its keys are not the fixture's.</summary>
    private async Task<string> TokenAsync(string clientId, string secret)
    {
        using var http = Instance.CreateClient();
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = clientId, ["client_secret"] = secret,
        });
        using var response = await http.PostAsync(new Uri("connect/token", UriKind.Relative), form);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!;
    }

    private async Task<List<string>> PublishedKeyIdsAsync()
    {
        using var http = Instance.CreateClient();
        var jwks = await http.GetFromJsonAsync<JsonElement>(new Uri(".well-known/jwks", UriKind.Relative));
        return [.. jwks.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("kid").GetString()!)];
    }

    private Task<W.GetHighWaterMarkResponse> CallAsync(string token) =>
        new W.SyncService.SyncServiceClient(AuthorityFixture.ChannelWith(Instance, _ => Task.FromResult(token)))
            .GetHighWaterMarkAsync(new W.GetHighWaterMarkRequest()).ResponseAsync;

    private static string KeyIdOf(string token) => (string)Jws.Header(token)["kid"]!;

    private void AdvanceTo(TimeSpan sinceStart, DateTimeOffset start)
    {
        _time.SetUtcNow(start + sinceStart);
        Ring.Refresh();
    }

    [Fact]
    public async Task A_successor_is_published_before_it_signs_the_old_key_validates_during_the_overlap_and_is_refused_after_it()
    {
        var start = _time.GetUtcNow();
        var first = KeyIdOf(await TokenAsync());
        Assert.Equal([first], await PublishedKeyIdsAsync());

        // One day before the rotation the successor appears in the JWKS, but tokens are still signed with the first key.
        AdvanceTo(TimeSpan.FromDays(29) + TimeSpan.FromMinutes(1), start);
        var published = await PublishedKeyIdsAsync();
        Assert.Equal(2, published.Count);
        var second = Assert.Single(published, k => k != first);
        Assert.Equal(first, KeyIdOf(await TokenAsync()));

        // Just before the rotation: a token signed with the first key.
        AdvanceTo(TimeSpan.FromDays(30) - TimeSpan.FromMinutes(2), start);
        var signedByFirst = await TokenAsync();
        Assert.Equal(first, KeyIdOf(signedByFirst));
        using var firstKey = Jws.RingKey(_keys, first);

        // After the rotation the successor signs; the first key still validates (overlap window).
        AdvanceTo(TimeSpan.FromDays(30) + TimeSpan.FromMinutes(1), start);
        var signedBySecond = await TokenAsync();
        Assert.Equal(second, KeyIdOf(signedBySecond));
        await CallAsync(signedByFirst);
        await CallAsync(signedBySecond);
        Assert.Contains(first, await PublishedKeyIdsAsync());

        // After the overlap window the first key is gone: a fresh, otherwise valid token signed with it is refused.
        AdvanceTo(TimeSpan.FromDays(31) + TimeSpan.FromMinutes(2), start);
        Assert.DoesNotContain(first, await PublishedKeyIdsAsync());
        Assert.False(File.Exists(Path.Combine(_keys, first + ".key.json")));
        var fresh = await TokenAsync();
        await CallAsync(fresh);
        var signedWithRetiredKey = Jws.Sign(Jws.Payload(fresh), firstKey, first);
        await Rpc.FailsAsync(StatusCode.Unauthenticated, () => CallAsync(signedWithRetiredKey));
    }

    [Fact]
    public async Task A_token_works_until_its_expiry_and_is_refused_one_second_after()
    {
        var token = await TokenAsync();
        var expires = DateTimeOffset.FromUnixTimeSeconds((long)Jws.Payload(token)["exp"]!);

        _time.SetUtcNow(expires - TimeSpan.FromSeconds(1));
        await CallAsync(token);

        _time.SetUtcNow(expires + TimeSpan.FromSeconds(1));
        await Rpc.FailsAsync(StatusCode.Unauthenticated, () => CallAsync(token));
    }

    [Fact]
    public async Task Tokens_never_live_longer_than_ten_minutes()
    {
        var payload = Jws.Payload(await TokenAsync());

        Assert.InRange((long)payload["exp"]! - (long)payload["iat"]!, 1, 600);
    }

    [Fact]
    public async Task The_maintenance_job_prunes_token_entries_that_are_no_longer_valid()
    {
        // A revoked token (its client was disabled); the store compares expiry with the machine clock, revocation not.
        using var admin = AuthorityFixture.ChannelWith(Instance, _ => TokenAsync(AuthorityFixture.StaffKey, AuthorityFixture.SecretOf(AuthorityFixture.StaffKey)));
        var client = new W.ClientAdminService.ClientAdminServiceClient(admin);
        var registered = await client.RegisterClientAsync(new W.RegisterClientRequest { Kind = W.ClientKind.FeedConsumer, DisplayName = "短期" });
        await TokenAsync(registered.Credentials.ClientId, registered.Credentials.ClientSecret);
        await client.DisableClientAsync(new W.DisableClientRequest { ClientId = registered.Client.ClientId, Reason = "测试" });
        _time.Advance(TimeSpan.FromDays(2));
        var job = ActivatorUtilities.CreateInstance<IdentityMaintenanceJob>(Instance.Services);

        var pruned = await job.PruneAsync(CancellationToken.None);

        Assert.True(pruned > 0);
    }

    [Fact]
    public async Task Other_parts_add_their_own_Quartz_jobs_beside_the_identity_job()
    {
        await using var instance = Fixture.StartCustomInstance(b =>
        {
            b.UseSetting("Identity:KeyDirectory", _keys);
            b.ConfigureTestServices(s => s.AddQuartz(q => q.AddJob<ProbeJob>(j => j.WithIdentity(ProbeJob.Key).StoreDurably())));
        });

        var scheduler = await instance.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        var jobs = await scheduler.GetJobKeys(GroupMatcher<JobKey>.AnyGroup());

        Assert.Contains(IdentityMaintenanceJob.Key, jobs);
        Assert.Contains(ProbeJob.Key, jobs);
        Assert.NotEmpty(await scheduler.GetTriggersOfJob(IdentityMaintenanceJob.Key));
    }

    private sealed class ProbeJob : IJob
    {
        public static readonly JobKey Key = new("probe", "tests");

        public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) => default;
    }
}
