using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Extensions.DependencyInjection;
using RegistryExchange.Authority.Tests.Identity;
using RegistryExchange.Authority.Tests.Infrastructure;
using RegistryExchange.Protocol.Identity;
using W = RegistryExchange.Contracts.V1;

namespace RegistryExchange.Authority.Tests.Authorization;

/// <summary>The authority's seeded clients plus an employer, for the authorization matrix.</summary>
public sealed class MatrixFixture : SqliteFixture, IAsyncLifetime
{
    public const string Employer = "test-employer";
    private readonly Lazy<Task<MatrixState>> _state;

    private WebApplicationFactory<Program>? _lateInstance;

    public MatrixFixture() => _state = new(() => MatrixState.CreateAsync(this));

    /// <summary>The clock of <see cref="LateInstance"/>; a test sets it past a token's expiry.</summary>
    public FakeTimeProvider LateClock { get; } = new(DateTimeOffset.UtcNow);

    /// <summary>A second authority on the same database and keys whose clock the test moves.</summary>
    public WebApplicationFactory<Program> LateInstance =>
        _lateInstance ??= StartCustomInstance(b => b.ConfigureTestServices(s => s.AddSingleton<TimeProvider>(LateClock)));

    Task IAsyncLifetime.InitializeAsync() => InitializeAsync();

    async Task IAsyncLifetime.DisposeAsync()
    {
        if (_lateInstance is not null)
        {
            await _lateInstance.DisposeAsync();
        }
        await DisposeAsync();
    }

    /// <summary>Created once for the whole matrix (xunit makes a test class instance per cell).</summary>
    public Task<MatrixState> State => _state.Value;

    protected override IEnumerable<(string Key, string Value)> ExtraSettings() =>
    [
        ("Identity:SeedClients:100:ClientId", Employer),
        ("Identity:SeedClients:100:ClientSecret", SecretOf(Employer)),
        ("Identity:SeedClients:100:Kind", "Employer"),
        ("Identity:SeedClients:100:DisplayName", "测试用人单位"),
    ];
}

/// <summary>Who calls, one matrix column each.</summary>
public enum Column
{
    NoToken,
    ExpiredByOneSecond,
    WrongAudience,
    WrongScope,
    Employer,
    FeedConsumer,
    Staff,
    School,
    SchoolOnAnotherSchoolsStudent,
}

/// <summary>
/// Every RPC the authority serves, called as every kind of caller, with the exact status expected in each cell.
/// "OK" cells also check what came back (a school acting on another school's student gets NOT_OWNER, not the data).
/// An RPC the authority serves without a row here fails <see cref="Every_served_rpc_has_a_row"/>.
/// </summary>
[Trait("Database", "SQLite")]
public sealed class AuthorizationMatrixTests(MatrixFixture fixture) : IClassFixture<MatrixFixture>, IAsyncLifetime
{
    private const StatusCode Ok = StatusCode.OK;
    private const StatusCode Unauthenticated = StatusCode.Unauthenticated;
    private const StatusCode Denied = StatusCode.PermissionDenied;

    /// <summary>Open by design: load balancers probe health; reflection is off outside development.</summary>
    private static readonly string[] OpenServices = ["grpc.health.v1.Health", "grpc.reflection.v1alpha.ServerReflection", "grpc.reflection.v1.ServerReflection"];

    private enum Kind { School, Staff, Feed }

    private sealed record Row(
        string Rpc,
        Kind RightKind,
        string WrongScope,
        Func<MatrixState, GrpcChannel, Task> Call,
        Func<MatrixState, GrpcChannel, Task> CallOnAnotherSchoolsStudent,
        IReadOnlyDictionary<Column, StatusCode> Expected);

    private MatrixState _context = null!;

    public async Task InitializeAsync() => _context = await fixture.State;

    public Task DisposeAsync() => Task.CompletedTask;

    private static Dictionary<Column, StatusCode> Cells(StatusCode school, StatusCode schoolOnOther, StatusCode staff, StatusCode feed, StatusCode employer) => new()
    {
        [Column.NoToken] = Unauthenticated,
        [Column.ExpiredByOneSecond] = Unauthenticated,
        [Column.WrongAudience] = Unauthenticated,
        [Column.WrongScope] = Denied,
        [Column.Employer] = employer,
        [Column.FeedConsumer] = feed,
        [Column.Staff] = staff,
        [Column.School] = school,
        [Column.SchoolOnAnotherSchoolsStudent] = schoolOnOther,
    };

    private static readonly Dictionary<Column, StatusCode> SchoolOnly = Cells(school: Ok, schoolOnOther: Ok, staff: Denied, feed: Denied, employer: Denied);
    private static readonly Dictionary<Column, StatusCode> StaffOnly = Cells(school: Denied, schoolOnOther: Denied, staff: Ok, feed: Denied, employer: Denied);
    private static readonly Dictionary<Column, StatusCode> FeedReaders = Cells(school: Denied, schoolOnOther: Denied, staff: Ok, feed: Ok, employer: Denied);

    private static IReadOnlyList<Row> Rows()
    {
        static W.SyncService.SyncServiceClient Sync(GrpcChannel c) => new(c);
        static W.ChangeFeedService.ChangeFeedServiceClient Feed(GrpcChannel c) => new(c);
        static W.DuplicateCaseService.DuplicateCaseServiceClient Duplicates(GrpcChannel c) => new(c);
        static W.ClientAdminService.ClientAdminServiceClient Clients(GrpcChannel c) => new(c);
        static W.AuditService.AuditServiceClient Audit(GrpcChannel c) => new(c);

        // A school pushing a change to another school's student: the call succeeds, the change is refused, nothing moves.
        static async Task PushOntoOwnersStudent(MatrixState x, GrpcChannel c)
        {
            var response = await Sync(c).PushChangesAsync(new W.PushChangesRequest
            {
                Changes = { Samples.Status(await x.NextSequenceAsync(x.Other), "intruder", W.StatusEventKind.Withdraw, x.OwnersStudent) },
            });
            Assert.Equal(W.RejectionReason.NotOwner, response.Results.Single().RejectionReason);
        }

        // A refused stream may end before the request is written; its status then comes from reading the response.
        static async Task<W.StreamChangesResponse> StreamOnce(GrpcChannel c, W.RecordChange change)
        {
            using var call = Sync(c).StreamChanges();
            try
            {
                await call.RequestStream.WriteAsync(new W.StreamChangesRequest { Changes = { change } });
                await call.RequestStream.CompleteAsync();
            }
            catch (RpcException)
            {
            }
            Assert.True(await call.ResponseStream.MoveNext());
            return call.ResponseStream.Current;
        }

        static async Task StreamOntoOwnersStudent(MatrixState x, GrpcChannel c)
        {
            var response = await StreamOnce(c, Samples.Status(await x.NextSequenceAsync(x.Other), "intruder", W.StatusEventKind.Withdraw, x.OwnersStudent));
            Assert.Equal(W.RejectionReason.NotOwner, response.Results.Single().RejectionReason);
        }

        static async Task ReadFeed(GrpcChannel c)
        {
            using var call = Feed(c).SubscribeChanges(new W.SubscribeChangesRequest { AfterVersion = 0, Follow = false });
            while (await call.ResponseStream.MoveNext())
            {
            }
        }

        return
        [
            new("registryexchange.v1.SyncService/GetHighWaterMark", Kind.School, ExchangeScopes.Reconcile,
                async (x, c) => Assert.Equal(x.Owner.Code, (await Sync(c).GetHighWaterMarkAsync(new W.GetHighWaterMarkRequest())).SchoolCode),
                // There is no way to name another school: the answer is always the caller's own mark.
                async (x, c) => Assert.Equal(x.Other.Code, (await Sync(c).GetHighWaterMarkAsync(new W.GetHighWaterMarkRequest())).SchoolCode),
                SchoolOnly),
            new("registryexchange.v1.SyncService/PushChanges", Kind.School, ExchangeScopes.Reconcile,
                async (x, c) => Assert.Equal(W.ChangeOutcome.Accepted, (await Sync(c).PushChangesAsync(new W.PushChangesRequest
                {
                    Changes = { Samples.Update(await x.NextSequenceAsync(x.Owner), "owned", x.OwnersDetails, x.OwnersStudent) },
                })).Results.Single().Outcome),
                PushOntoOwnersStudent,
                SchoolOnly),
            new("registryexchange.v1.SyncService/StreamChanges", Kind.School, ExchangeScopes.Reconcile,
                async (x, c) => Assert.Equal(W.ChangeOutcome.Accepted,
                    (await StreamOnce(c, Samples.Create(await x.NextSequenceAsync(x.Owner), "streamed-" + Guid.NewGuid().ToString("N")[..12]))).Results.Single().Outcome),
                StreamOntoOwnersStudent,
                SchoolOnly),
            new("registryexchange.v1.SyncService/ListRejectedChanges", Kind.School, ExchangeScopes.Reconcile,
                async (x, c) => await Sync(c).ListRejectedChangesAsync(new W.ListRejectedChangesRequest()),
                // Only the caller's own rejections: the other school sees its duplicate claim, never the owner's data.
                async (x, c) => Assert.All((await Sync(c).ListRejectedChangesAsync(new W.ListRejectedChangesRequest())).RejectedChanges,
                    r => Assert.NotEqual("owned", r.StudentLocalId)),
                SchoolOnly),
            new("registryexchange.v1.ChangeFeedService/SubscribeChanges", Kind.Feed, ExchangeScopes.Admin,
                (_, c) => ReadFeed(c), (_, c) => ReadFeed(c), FeedReaders),
            new("registryexchange.v1.DuplicateCaseService/ListDuplicateCases", Kind.Staff, ExchangeScopes.Audit,
                async (_, c) => await Duplicates(c).ListDuplicateCasesAsync(new W.ListDuplicateCasesRequest()),
                async (_, c) => await Duplicates(c).ListDuplicateCasesAsync(new W.ListDuplicateCasesRequest()),
                StaffOnly),
            new("registryexchange.v1.DuplicateCaseService/ResolveDuplicateCase", Kind.Staff, ExchangeScopes.Audit,
                async (x, c) => await Duplicates(c).ResolveDuplicateCaseAsync(new W.ResolveDuplicateCaseRequest
                {
                    CaseId = x.OpenCaseId, Resolution = W.DuplicateResolution.ClaimRejected, Note = "matrix",
                }),
                async (x, c) => await Duplicates(c).ResolveDuplicateCaseAsync(new W.ResolveDuplicateCaseRequest
                {
                    CaseId = x.OpenCaseId, Resolution = W.DuplicateResolution.ClaimRejected, Note = "matrix",
                }),
                StaffOnly),
            new("registryexchange.v1.ClientAdminService/RegisterSchool", Kind.Staff, ExchangeScopes.Audit,
                async (_, c) => await Clients(c).RegisterSchoolAsync(new W.RegisterSchoolRequest
                {
                    SchoolCode = "M" + Guid.NewGuid().ToString("N")[..8], Name = "矩阵学校", RegionCode = "110105",
                }),
                async (_, c) => await Clients(c).RegisterSchoolAsync(new W.RegisterSchoolRequest
                {
                    SchoolCode = "M" + Guid.NewGuid().ToString("N")[..8], Name = "矩阵学校", RegionCode = "110105",
                }),
                StaffOnly),
            new("registryexchange.v1.ClientAdminService/RegisterEmployer", Kind.Staff, ExchangeScopes.Audit,
                async (_, c) => await Clients(c).RegisterEmployerAsync(new W.RegisterEmployerRequest { DisplayName = "矩阵公司" }),
                async (_, c) => await Clients(c).RegisterEmployerAsync(new W.RegisterEmployerRequest { DisplayName = "矩阵公司" }),
                StaffOnly),
            new("registryexchange.v1.ClientAdminService/RegisterClient", Kind.Staff, ExchangeScopes.Audit,
                async (_, c) => await Clients(c).RegisterClientAsync(new W.RegisterClientRequest { Kind = W.ClientKind.FeedConsumer, DisplayName = "矩阵分析" }),
                async (_, c) => await Clients(c).RegisterClientAsync(new W.RegisterClientRequest { Kind = W.ClientKind.Staff, DisplayName = "矩阵职员" }),
                StaffOnly),
            new("registryexchange.v1.ClientAdminService/RotateClientSecret", Kind.Staff, ExchangeScopes.Audit,
                async (x, c) => Assert.NotEmpty((await Clients(c).RotateClientSecretAsync(new W.RotateClientSecretRequest { ClientId = x.SpareClients[0] })).Credentials.ClientSecret),
                async (x, c) => await Clients(c).RotateClientSecretAsync(new W.RotateClientSecretRequest { ClientId = x.SpareClients[0] }),
                StaffOnly),
            new("registryexchange.v1.ClientAdminService/ListClients", Kind.Staff, ExchangeScopes.Audit,
                async (_, c) => Assert.NotEmpty((await Clients(c).ListClientsAsync(new W.ListClientsRequest())).Clients),
                async (_, c) => await Clients(c).ListClientsAsync(new W.ListClientsRequest()),
                StaffOnly),
            new("registryexchange.v1.ClientAdminService/DisableClient", Kind.Staff, ExchangeScopes.Audit,
                async (x, c) => Assert.True((await Clients(c).DisableClientAsync(new W.DisableClientRequest { ClientId = x.SpareClients[1], Reason = "matrix" })).Client.Disabled),
                async (x, c) => await Clients(c).DisableClientAsync(new W.DisableClientRequest { ClientId = x.SpareClients[1], Reason = "matrix" }),
                StaffOnly),
            new("registryexchange.v1.AuditService/VerifyAuditLog", Kind.Staff, ExchangeScopes.Admin,
                async (_, c) => Assert.True((await Audit(c).VerifyAuditLogAsync(new W.VerifyAuditLogRequest())).Intact),
                async (_, c) => await Audit(c).VerifyAuditLogAsync(new W.VerifyAuditLogRequest()),
                StaffOnly),
            new("registryexchange.v1.AuditService/ListStudentAccess", Kind.School, ExchangeScopes.Reconcile,
                async (x, c) => Assert.NotEmpty((await Audit(c).ListStudentAccessAsync(new W.ListStudentAccessRequest { NationalStudentNumber = x.OwnersStudent })).Entries),
                async (x, c) => await Audit(c).ListStudentAccessAsync(new W.ListStudentAccessRequest { NationalStudentNumber = x.OwnersStudent }),
                // The owning school and staff may ask who accessed a record; another school may not.
                Cells(school: Ok, schoolOnOther: Denied, staff: Ok, feed: Denied, employer: Denied)),
            new("registryexchange.v1.AuditService/ListAuditCheckpoints", Kind.Staff, ExchangeScopes.Admin,
                async (_, c) => await Audit(c).ListAuditCheckpointsAsync(new W.ListAuditCheckpointsRequest()),
                async (_, c) => await Audit(c).ListAuditCheckpointsAsync(new W.ListAuditCheckpointsRequest()),
                StaffOnly),
        ];
    }

    [Fact]
    public void Every_served_rpc_has_a_row()
    {
        var served = fixture.Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .Select(e => e.Metadata.GetMetadata<GrpcMethodMetadata>())
            .Where(m => m is not null && !m.Method.Name.Contains('{', StringComparison.Ordinal))
            .Select(m => m!.Method.ServiceName + "/" + m.Method.Name)
            .Where(rpc => !OpenServices.Any(s => rpc.StartsWith(s + "/", StringComparison.Ordinal)))
            .ToHashSet(StringComparer.Ordinal);
        var rows = Rows().Select(r => r.Rpc).ToHashSet(StringComparer.Ordinal);

        Assert.True(served.Count > 0, "No gRPC endpoints found: the matrix cannot check anything.");
        Assert.True(served.SetEquals(rows),
            "The authorization matrix must list exactly the RPCs the authority serves. Missing rows: "
            + string.Join(", ", served.Except(rows)) + "; rows for RPCs not served: " + string.Join(", ", rows.Except(served)));
        Assert.All(Rows(), r => Assert.Equal(Enum.GetValues<Column>().Length, r.Expected.Count));
    }

    public static TheoryData<string, Column> AllCells()
    {
        var data = new TheoryData<string, Column>();
        foreach (var row in Rows())
        {
            foreach (var column in Enum.GetValues<Column>())
            {
                data.Add(row.Rpc, column);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(AllCells))]
    public async Task Cell(string rpc, Column column)
    {
        var row = Rows().Single(r => r.Rpc == rpc);
        var expected = row.Expected[column];
        using var channel = await ChannelForAsync(row, column);
        var call = column == Column.SchoolOnAnotherSchoolsStudent ? row.CallOnAnotherSchoolsStudent : row.Call;

        var actual = StatusCode.OK;
        var detail = "";
        try
        {
            await call(_context, channel);
        }
        catch (RpcException e)
        {
            actual = e.StatusCode;
            detail = e.Status.Detail;
        }

        Assert.True(expected == actual, $"{rpc} as {column}: expected {expected}, got {actual} ({detail})");
    }

    private async Task<GrpcChannel> ChannelForAsync(Row row, Column column)
    {
        var rightClient = row.RightKind switch
        {
            Kind.School => _context.Owner.Key,
            Kind.Feed => AuthorityFixture.FeedKey,
            _ => AuthorityFixture.StaffKey,
        };
        return column switch
        {
            Column.NoToken => fixture.ChannelWithToken(null),
            Column.ExpiredByOneSecond => await ExpiredByOneSecondAsync(rightClient),
            Column.WrongAudience => fixture.ChannelWithToken(await ResignedAsync(rightClient, p => p["aud"] = "another-resource")),
            // A client of a kind that may hold the needed scope, holding only another one (feed: staff without "feed").
            Column.WrongScope => fixture.ChannelWithToken(await fixture.RequestTokenAsync(WrongScopeClient(row), AuthorityFixture.SecretOf(WrongScopeClient(row)), row.WrongScope)),
            Column.Employer => fixture.Channel(MatrixFixture.Employer),
            Column.FeedConsumer => fixture.Channel(AuthorityFixture.FeedKey),
            Column.Staff => fixture.Channel(AuthorityFixture.StaffKey),
            Column.School => fixture.Channel(_context.Owner.Key),
            Column.SchoolOnAnotherSchoolsStudent => fixture.Channel(_context.Other.Key),
            _ => throw new ArgumentOutOfRangeException(nameof(column)),
        };
    }

    private string WrongScopeClient(Row row) => row.RightKind == Kind.School ? _context.Owner.Key : AuthorityFixture.StaffKey;

    /// <summary>
    /// A real token presented one second after it expired: to the late instance, whose clock is set to the token's
    /// expiry plus one second (the token server is the authority on expiry, so the token is not altered).
    /// </summary>
    private async Task<GrpcChannel> ExpiredByOneSecondAsync(string clientId)
    {
        var token = await fixture.RequestTokenAsync(clientId, AuthorityFixture.SecretOf(clientId));
        var expires = DateTimeOffset.FromUnixTimeSeconds((long)Jws.Payload(token)["exp"]!);
        fixture.LateClock.SetUtcNow(expires + TimeSpan.FromSeconds(1));
        return AuthorityFixture.ChannelWith(fixture.LateInstance, _ => Task.FromResult(token));
    }

    /// <summary>A real token of <paramref name="clientId"/> with one claim changed, re-signed with the real signing key.</summary>
    private async Task<string> ResignedAsync(string clientId, Action<JsonObject> change)
    {
        var token = await fixture.RequestTokenAsync(clientId, AuthorityFixture.SecretOf(clientId));
        var keyId = (string)Jws.Header(token)["kid"]!;
        using var key = Jws.RingKey(fixture.KeyDirectory, keyId);
        var payload = Jws.Payload(token);
        change(payload);
        return Jws.Sign(payload, key, keyId);
    }
}

/// <summary>What the matrix's calls act on: two schools, the first's student, an open duplicate case, spare clients.</summary>
public sealed class MatrixState
{
    private readonly AuthorityFixture _fixture;

    private MatrixState(AuthorityFixture fixture, TestSchool owner, TestSchool other)
    {
        _fixture = fixture;
        Owner = owner;
        Other = other;
    }

    public TestSchool Owner { get; }
    public TestSchool Other { get; }
    public string OwnersStudent { get; private set; } = "";
    public W.StudentDetails OwnersDetails { get; private set; } = new();
    public long OpenCaseId { get; private set; }
    /// <summary>Feed consumer clients staff may rotate (index 0) and disable (index 1).</summary>
    public IReadOnlyList<string> SpareClients { get; private set; } = [];

    /// <summary>The school's next sequence, from the authority's high-water mark (a refused call consumes none).</summary>
    public async Task<ulong> NextSequenceAsync(TestSchool school) =>
        (await new W.SyncService.SyncServiceClient(_fixture.Channel(school.Key)).GetHighWaterMarkAsync(new W.GetHighWaterMarkRequest())).HighWaterMark + 1;

    public static async Task<MatrixState> CreateAsync(AuthorityFixture fixture)
    {
        var state = new MatrixState(fixture, fixture.NewSchool(), fixture.NewSchool());
        var details = Samples.DetailsWithId();
        var created = await new W.SyncService.SyncServiceClient(fixture.Channel(state.Owner.Key)).PushChangesAsync(
            new W.PushChangesRequest { Changes = { Samples.Create(1, "owned", details) } });
        state.OwnersStudent = created.Results[0].NationalStudentNumber;
        state.OwnersDetails = details;
        Assert.NotEmpty(state.OwnersStudent);
        // The same ID number from the other school is refused as a duplicate, which opens a case for staff.
        var claim = await new W.SyncService.SyncServiceClient(fixture.Channel(state.Other.Key)).PushChangesAsync(
            new W.PushChangesRequest { Changes = { Samples.Create(1, "claim", details) } });
        Assert.Equal(W.RejectionReason.DuplicateIdNumber, claim.Results[0].RejectionReason);
        var staff = fixture.Channel(AuthorityFixture.StaffKey);
        var cases = await new W.DuplicateCaseService.DuplicateCaseServiceClient(staff).ListDuplicateCasesAsync(new W.ListDuplicateCasesRequest());
        state.OpenCaseId = cases.Cases.Single(c => c.ClaimingSchoolCode == state.Other.Code).CaseId;
        var clients = new W.ClientAdminService.ClientAdminServiceClient(staff);
        var spares = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            var spare = await clients.RegisterClientAsync(new W.RegisterClientRequest { Kind = W.ClientKind.FeedConsumer, DisplayName = $"备用客户端{i}" });
            spares.Add(spare.Client.ClientId);
        }
        state.SpareClients = spares;
        return state;
    }
}
