using Grpc.Core;
using RegistryExchange.Contracts.V1;
using RegistryExchange.Protocol;
using RegistryExchange.EndToEnd.Tests.Infrastructure;
using RegistryExchange.LocalHosting;

namespace RegistryExchange.EndToEnd.Tests;

/// <summary>The authority and two school agents as real processes, used through their public gRPC APIs.</summary>
public sealed class SyncEndToEndTests
{
    [Fact]
    public async Task Students_entered_at_two_agents_reach_the_authority_with_national_numbers_and_the_feed_resumes_mid_way()
    {
        await using var exchange = LocalExchange.Create(new LocalExchangeOptions { Name = "two-agents", SchoolCount = 2 });
        await exchange.StartAllAsync();

        for (var s = 0; s < exchange.Schools.Count; s++)
        {
            var school = exchange.Schools[s];
            var register = exchange.Register(school);
            var students = TestStudents.For(seed: s, region: school.RegionCode, count: 30);
            foreach (var student in students)
            {
                await register.CreateStudentAsync(new CreateStudentRequest { LocalId = student.LocalId, Details = student.Details.ToWire() });
            }
            var updated = students[3].Details.ToWire();
            updated.Grades.Add(new CourseGrade { Term = "2024-2025-2", Course = "英语", Score = "88" });
            await register.UpdateStudentAsync(new UpdateStudentRequest { LocalId = students[3].LocalId, Details = updated });
            await register.ChangeStudentStatusAsync(new ChangeStudentStatusRequest
            {
                LocalId = students[4].LocalId,
                Event = new StatusChanged { Kind = StatusEventKind.Suspend, EffectiveDate = "2025-03-01", Reason = "因病休学", Reference = "休字2025-001" },
            });
            await register.ChangeStudentStatusAsync(new ChangeStudentStatusRequest
            {
                LocalId = students[5].LocalId,
                Event = new StatusChanged { Kind = StatusEventKind.Withdraw, EffectiveDate = "2025-03-02", Reason = "本人申请退学" },
            });
        }

        foreach (var school in exchange.Schools)
        {
            await exchange.WaitUntilSyncedAsync(school, TimeSpan.FromSeconds(30));
            var students = await Verification.ListAllStudentsAsync(exchange.Register(school));
            Assert.Equal(30, students.Count);
            foreach (var student in students)
            {
                var expected = student.Details.Basic.IdNumber.Length > 0 ? "G" + student.Details.Basic.IdNumber : null;
                if (expected is not null)
                {
                    Assert.Equal(expected, student.NationalStudentNumber);
                }
                else
                {
                    Assert.StartsWith("J" + school.RegionCode, student.NationalStudentNumber, StringComparison.Ordinal);
                }
            }
            await Verification.AssertAuthorityMatchesAgentAsync(exchange, school);
        }

        var feed = await exchange.ReadFeedAsync();
        Assert.Equal(2 * 33, feed.Count);
        Assert.Contains(feed, e => e.RecordEnded && e.StatusAfter == StudentStatus.Withdrawn);

        // A follower reads part of the feed, disconnects, and resumes from the last version it saw.
        var firstPart = new List<FeedEntry>();
        using (var call = exchange.Feed().SubscribeChanges(new SubscribeChangesRequest { Follow = true, MaxEntriesPerResponse = 10 }))
        {
            await foreach (var response in call.ResponseStream.ReadAllAsync())
            {
                firstPart.AddRange(response.Entries);
                if (firstPart.Count >= 25)
                {
                    break;
                }
            }
        }
        var resumed = await exchange.ReadFeedAsync(afterVersion: firstPart[^1].Version);
        Assert.Equal(feed.Select(e => e.Version), firstPart.Concat(resumed).Select(e => e.Version));

        // In follow mode a change made after subscribing arrives without polling by the caller.
        using var follow = exchange.Feed().SubscribeChanges(new SubscribeChangesRequest { AfterVersion = feed[^1].Version, Follow = true });
        var school0 = exchange.Schools[0];
        await exchange.Register(school0).CreateStudentAsync(new CreateStudentRequest
        {
            LocalId = "late-arrival",
            Details = TestStudents.For(seed: 0, region: school0.RegionCode, count: 31)[30].Details.ToWire(),
        });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var arrived = new List<FeedEntry>();
        while (arrived.Count == 0 && await follow.ResponseStream.MoveNext(timeout.Token))
        {
            arrived.AddRange(follow.ResponseStream.Current.Entries); // a response may carry only the head version
        }
        var live = Assert.Single(arrived);
        Assert.Equal("late-arrival", live.Change.StudentLocalId);
        Assert.Equal(FeedEntryKind.Created, live.Kind);
    }

    [Fact]
    public async Task A_school_cannot_write_a_student_owned_by_another_school_and_sees_the_rejection()
    {
        await using var exchange = LocalExchange.Create(new LocalExchangeOptions { Name = "not-owner", SchoolCount = 2 });
        await exchange.StartAllAsync();
        var (a, b) = (exchange.Schools[0], exchange.Schools[1]);
        var created = await exchange.Register(a).CreateStudentAsync(new CreateStudentRequest
        {
            LocalId = "a-1",
            Details = TestStudents.For(seed: 7, region: a.RegionCode, count: 1)[0].Details.ToWire(),
        });
        await exchange.WaitUntilSyncedAsync(a, TimeSpan.FromSeconds(30));

        // School B enters the same person (same ID number): rejected as a national duplicate, never merged.
        await exchange.Register(b).CreateStudentAsync(new CreateStudentRequest
        {
            LocalId = "b-1",
            Details = TestStudents.For(seed: 7, region: a.RegionCode, count: 1)[0].Details.ToWire(),
        });
        await exchange.WaitUntilSyncedAsync(b, TimeSpan.FromSeconds(30));
        var rejections = await exchange.Register(b).ListPushRejectionsAsync(new ListPushRejectionsRequest());
        var rejected = Assert.Single(rejections.RejectedChanges);
        Assert.Equal("b-1", rejected.StudentLocalId);
        Assert.Equal(RejectionReason.DuplicateIdNumber, rejected.Result.RejectionReason);

        // School B pushing a change that names A's student by national number is refused as not owner.
        // (B's agent is stopped first: the forged push uses B's next sequence number.)
        b.Agent.Kill();
        var push = await exchange.Sync(b).PushChangesAsync(new PushChangesRequest
        {
            Changes =
            {
                new RecordChange
                {
                    Sequence = (await exchange.Sync(b).GetHighWaterMarkAsync(new GetHighWaterMarkRequest())).HighWaterMark + 1,
                    StudentLocalId = "b-forged",
                    NationalStudentNumber = (await exchange.Register(a).GetStudentAsync(new GetStudentRequest { LocalId = "a-1" })).Student.NationalStudentNumber,
                    StatusChanged = new StatusChanged { Kind = StatusEventKind.Withdraw, EffectiveDate = "2025-01-01", Reason = "伪造" },
                },
            },
        });
        Assert.Equal(ChangeOutcome.Rejected, push.Results[0].Outcome);
        Assert.Equal(RejectionReason.NotOwner, push.Results[0].RejectionReason);
        var feed = await exchange.ReadFeedAsync();
        Assert.DoesNotContain(feed, e => e.StatusAfter == StudentStatus.Withdrawn);
        Assert.Equal(created.Student.LocalId, feed.Single().Change.StudentLocalId);
    }

    [Fact]
    public async Task Staff_register_a_new_school_and_its_agent_pushes_with_the_issued_credentials_until_the_client_is_disabled()
    {
        // Ten-second tokens: a stream opened before the client was disabled ends within one token lifetime.
        await using var exchange = LocalExchange.Create(new LocalExchangeOptions
        {
            Name = "new-school",
            SchoolCount = 1,
            AuthoritySettings = new Dictionary<string, string> { ["Identity:AccessTokenLifetime"] = "00:00:10" },
        });
        await exchange.Authority.StartAsync();
        var admin = new ClientAdminService.ClientAdminServiceClient(exchange.Channel(exchange.Authority, exchange.Staff));
        var registered = await admin.RegisterSchoolAsync(new RegisterSchoolRequest { SchoolCode = "S510107077", Name = "成都市青羊区第七十七中学", RegionCode = "510107" },
            deadline: DateTime.UtcNow.AddSeconds(30));
        Assert.True(registered.SchoolCreated);
        Assert.Equal(exchange.TokenEndpoint.ToString(), registered.Credentials.TokenEndpoint);

        // The school's operator starts its agent with exactly what staff handed over.
        await using var agent = new HostProcess("agent-new", RepoPaths.AgentDll, HostProcess.FreePort(), new Dictionary<string, string>
        {
            ["School:Code"] = "S510107077",
            ["Authority:Url"] = exchange.Authority.Address.ToString().TrimEnd('/'),
            ["Authority:TokenEndpoint"] = registered.Credentials.TokenEndpoint,
            ["Authority:ClientId"] = registered.Credentials.ClientId,
            ["Authority:ClientSecret"] = registered.Credentials.ClientSecret,
            ["ConnectionStrings:Register"] = $"Data Source={Path.Combine(exchange.WorkDirectory, "agent-new.db")}",
        }, exchange.WorkDirectory, environment: "Development");
        await agent.StartAsync();
        // The school's staff tools get a client of their own (register-school on an existing school issues another),
        // so the school keeps its local API when the agent's client is disabled.
        var staffTools = await admin.RegisterSchoolAsync(new RegisterSchoolRequest { SchoolCode = "S510107077", Name = "成都市青羊区第七十七中学", RegionCode = "510107" },
            deadline: DateTime.UtcNow.AddSeconds(30));
        Assert.False(staffTools.SchoolCreated);
        Assert.NotEqual(registered.Credentials.ClientId, staffTools.Credentials.ClientId);
        var register = new SchoolRegisterService.SchoolRegisterServiceClient(exchange.Channel(agent,
            new OAuthClient(staffTools.Credentials.ClientId, staffTools.Credentials.ClientSecret)));
        var students = TestStudents.For(seed: 77, region: "510107", count: 3);
        await register.CreateStudentAsync(new CreateStudentRequest { LocalId = students[0].LocalId, Details = students[0].Details.ToWire() });
        var synced = await WaitForStatusAsync(register, s => s.AuthorityHighWaterMark == 1 && s.PendingChanges == 0, "the first push");
        Assert.Equal("", synced.LastError);
        Assert.Contains(await exchange.ReadFeedAsync(), e => e.SchoolCode == "S510107077");

        // Disabled: once its stream's token is due the agent gets no new one, says why, and pushes nothing more.
        await admin.DisableClientAsync(new DisableClientRequest { ClientId = registered.Credentials.ClientId, Reason = "学校撤并" }, deadline: DateTime.UtcNow.AddSeconds(30));
        var refused = await WaitForStatusAsync(register, s => s.LastError.Length > 0, "the agent to report the disabled client");
        Assert.Contains(registered.Credentials.ClientId, refused.LastError, StringComparison.Ordinal);
        Assert.DoesNotContain(registered.Credentials.ClientSecret, refused.LastError, StringComparison.Ordinal);
        await register.CreateStudentAsync(new CreateStudentRequest { LocalId = students[1].LocalId, Details = students[1].Details.ToWire() });
        var after = await register.GetSyncStatusAsync(new GetSyncStatusRequest(), deadline: DateTime.UtcNow.AddSeconds(10));
        Assert.Equal(1ul, after.PendingChanges);
        Assert.Single(await exchange.ReadFeedAsync(), e => e.SchoolCode == "S510107077");
    }

    private static async Task<GetSyncStatusResponse> WaitForStatusAsync(SchoolRegisterService.SchoolRegisterServiceClient register,
        Func<GetSyncStatusResponse, bool> done, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var status = await register.GetSyncStatusAsync(new GetSyncStatusRequest(), deadline: DateTime.UtcNow.AddSeconds(10));
            if (done(status))
            {
                return status;
            }
            Assert.True(DateTime.UtcNow < deadline, $"waited 60 s for {what}; last status: {status}");
            await Task.Delay(100);
        }
    }
}
