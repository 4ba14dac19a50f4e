using Grpc.AspNetCore.Server;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using RegistryExchange.Authority.Tests.Infrastructure;

namespace RegistryExchange.Authority.Tests.Identity;

/// <summary>
/// Every RPC the authority maps, called as every kind of caller, with the exact outcome of each cell. Calls carry an
/// empty request (the authorization layer answers before the request is read); a caller that gets through
/// authorization may get OK, INVALID_ARGUMENT or NOT_FOUND, but never UNAUTHENTICATED or PERMISSION_DENIED.
/// A mapped RPC without a row fails <see cref="Every_mapped_RPC_has_a_row"/>. The instance runs on a fake clock so
/// the expired column is exactly one second past a real token's expiry.
/// </summary>
public abstract class AuthorizationMatrixTests(AuthorityFixture fixture) : AuthorityTestBase(fixture), IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private WebApplicationFactory<Program>? _instance;

    private WebApplicationFactory<Program> Instance => _instance!;

    public Task InitializeAsync()
    {
        _instance = Fixture.StartCustomInstance(b => b.ConfigureTestServices(s => s.AddSingleton<TimeProvider>(_time)));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (_instance is not null)
        {
            await _instance.DisposeAsync();
        }
    }

    public enum Caller
    {
        NoToken,
        ExpiredByOneSecond,
        WrongAudience,
        SchoolWrongScope,
        School,
        Employer,
        FeedConsumer,
        StaffWrongScope,
        Staff,
    }

    /// <summary>Who gets through authorization: the rest are refused (PERMISSION_DENIED with a valid token).</summary>
    private static readonly Dictionary<string, Caller[]> Matrix = new(StringComparer.Ordinal)
    {
        ["registryexchange.v1.SyncService/GetHighWaterMark"] = [Caller.School],
        ["registryexchange.v1.SyncService/PushChanges"] = [Caller.School],
        ["registryexchange.v1.SyncService/StreamChanges"] = [Caller.School],
        ["registryexchange.v1.SyncService/ListRejectedChanges"] = [Caller.School],
        ["registryexchange.v1.ChangeFeedService/SubscribeChanges"] = [Caller.FeedConsumer, Caller.Staff],
        ["registryexchange.v1.DuplicateCaseService/ListDuplicateCases"] = [Caller.Staff],
        ["registryexchange.v1.DuplicateCaseService/ResolveDuplicateCase"] = [Caller.Staff],
        ["registryexchange.v1.ClientAdminService/RegisterSchool"] = [Caller.Staff],
        ["registryexchange.v1.ClientAdminService/RegisterEmployer"] = [Caller.Staff],
        ["registryexchange.v1.ClientAdminService/RegisterClient"] = [Caller.Staff],
        ["registryexchange.v1.ClientAdminService/RotateClientSecret"] = [Caller.Staff],
        ["registryexchange.v1.ClientAdminService/ListClients"] = [Caller.Staff],
        ["registryexchange.v1.ClientAdminService/DisableClient"] = [Caller.Staff],
        ["registryexchange.v1.AuditService/VerifyAuditLog"] = [Caller.Staff],
        ["registryexchange.v1.AuditService/ListAuditCheckpoints"] = [Caller.Staff],
        // A school passes the policy; the service then checks it owns the student (object level).
        ["registryexchange.v1.AuditService/ListStudentAccess"] = [Caller.Staff, Caller.School],
    };

    /// <summary>Open to probes and tools without a token.</summary>
    private static readonly HashSet<string> Open = new(StringComparer.Ordinal)
    {
        "grpc.health.v1.Health/Check", "grpc.health.v1.Health/Watch", "grpc.health.v1.Health/List",
        "grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", "grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
    };

    private static readonly Marshaller<byte[]> Raw = Marshallers.Create(b => b, b => b);
    private readonly Dictionary<Caller, string?> _tokens = [];

    private List<IMethod> MappedMethods() =>
    [
        .. Instance.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .Select(e => e.Metadata.GetMetadata<GrpcMethodMetadata>()?.Method)
            .OfType<IMethod>()
            .Where(m => !m.FullName.Contains("{unimplemented", StringComparison.Ordinal))
            .DistinctBy(m => m.FullName),
    ];

    [Fact]
    public void Every_mapped_RPC_has_a_row()
    {
        var mapped = MappedMethods().Select(m => m.FullName.TrimStart('/')).ToList();

        var missing = mapped.Where(m => !Matrix.ContainsKey(m) && !Open.Contains(m)).ToList();

        Assert.True(missing.Count == 0, "RPCs without authorization matrix rows: " + string.Join(", ", missing));
        Assert.Contains("registryexchange.v1.SyncService/PushChanges", mapped);
    }

    [Fact]
    public async Task Every_RPC_as_every_caller_gets_exactly_its_outcome()
    {
        var failures = new List<string>();
        var methods = MappedMethods();
        foreach (var method in methods.Where(m => Open.Contains(m.FullName.TrimStart('/'))))
        {
            var code = await CallAsync(method, null, firstMessageOnly: true);
            if (code is not StatusCode.OK)
            {
                failures.Add($"{method.FullName} without a token: {code}, but it is open");
            }
        }
        var guarded = methods.Where(m => !Open.Contains(m.FullName.TrimStart('/'))).ToList();
        foreach (var caller in Enum.GetValues<Caller>().Where(c => c != Caller.ExpiredByOneSecond))
        {
            var token = await TokenAsync(caller);
            foreach (var method in guarded)
            {
                Check(method, caller, await CallAsync(method, token), failures);
            }
        }
        // Last, because it moves the clock: one second past the expiry of a real token.
        var expiring = await TokenAsync(Caller.School);
        _time.SetUtcNow(DateTimeOffset.FromUnixTimeSeconds((long)Jws.Payload(expiring!)["exp"]!) + TimeSpan.FromSeconds(1));
        foreach (var method in guarded)
        {
            Check(method, Caller.ExpiredByOneSecond, await CallAsync(method, expiring), failures);
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    private static void Check(IMethod method, Caller caller, StatusCode code, List<string> failures)
    {
        var name = method.FullName.TrimStart('/');
        var expected = Expected(name, caller);
        var ok = expected == StatusCode.OK
            ? code is not (StatusCode.Unauthenticated or StatusCode.PermissionDenied or StatusCode.DeadlineExceeded)
            : code == expected;
        if (!ok)
        {
            failures.Add($"{name} as {caller}: {code}, expected {(expected == StatusCode.OK ? "to pass authorization" : expected.ToString())}");
        }
    }

    /// <summary>OK stands for "passes authorization".</summary>
    private static StatusCode Expected(string method, Caller caller) => caller switch
    {
        Caller.NoToken or Caller.ExpiredByOneSecond or Caller.WrongAudience => StatusCode.Unauthenticated,
        _ when Matrix[method].Contains(caller) => StatusCode.OK,
        _ => StatusCode.PermissionDenied,
    };

    private async Task<string?> TokenAsync(Caller caller)
    {
        if (_tokens.TryGetValue(caller, out var cached))
        {
            return cached;
        }
        var school = Fixture.NewSchool();
        Task<string> Token(string id, string? scope = null) => Fixture.RequestTokenAsync(id, AuthorityFixture.SecretOf(id), scope, Instance);
        string? token = caller switch
        {
            Caller.NoToken => null,
            Caller.School => await Token(school.Key),
            Caller.SchoolWrongScope => await Token(school.Key, "transfers certificates"),
            Caller.Staff => await Token(AuthorityFixture.StaffKey),
            Caller.StaffWrongScope => await Token(AuthorityFixture.StaffKey, "transfers reconcile"),
            Caller.FeedConsumer => await Token(AuthorityFixture.FeedKey),
            Caller.Employer => await EmployerTokenAsync(await Token(AuthorityFixture.StaffKey)),
            Caller.WrongAudience => Resigned(await Token(AuthorityFixture.StaffKey), p => p["aud"] = "another-resource"),
            _ => throw new ArgumentOutOfRangeException(nameof(caller)),
        };
        _tokens[caller] = token;
        return token;
    }

    private async Task<string> EmployerTokenAsync(string staffToken)
    {
        using var channel = AuthorityFixture.ChannelWith(Instance, _ => Task.FromResult(staffToken));
        var admin = new Contracts.V1.ClientAdminService.ClientAdminServiceClient(channel);
        var employer = await admin.RegisterEmployerAsync(new Contracts.V1.RegisterEmployerRequest { DisplayName = "矩阵测试用人单位" });
        return await Fixture.RequestTokenAsync(employer.Credentials.ClientId, employer.Credentials.ClientSecret, null, Instance);
    }

    /// <summary>A real token with one claim changed, signed again with the real key: only that claim is wrong.</summary>
    private string Resigned(string token, Action<System.Text.Json.Nodes.JsonObject> change)
    {
        var keyId = (string)Jws.Header(token)["kid"]!;
        using var key = Jws.RingKey(Fixture.KeyDirectory, keyId);
        var payload = Jws.Payload(token);
        change(payload);
        return Jws.Sign(payload, key, keyId);
    }

    private async Task<StatusCode> CallAsync(IMethod described, string? token, bool firstMessageOnly = false)
    {
        using var channel = AuthorityFixture.ChannelWith(Instance, token is null ? null : _ => Task.FromResult(token));
        var method = new Method<byte[], byte[]>(described.Type, described.ServiceName, described.Name, Raw, Raw);
        var invoker = channel.CreateCallInvoker();
        // A bound against a hang (a following stream), not an assertion about time.
        var options = new CallOptions(deadline: DateTime.UtcNow.AddSeconds(30));
        try
        {
            switch (method.Type)
            {
                case MethodType.Unary:
                    await invoker.AsyncUnaryCall(method, null, options, []).ResponseAsync;
                    break;
                case MethodType.ServerStreaming:
                    using (var call = invoker.AsyncServerStreamingCall(method, null, options, []))
                    {
                        // An open watch stream never ends: its first message is the answer.
                        while (await call.ResponseStream.MoveNext(CancellationToken.None) && !firstMessageOnly)
                        {
                        }
                    }
                    break;
                case MethodType.ClientStreaming:
                    using (var call = invoker.AsyncClientStreamingCall(method, null, options))
                    {
                        await call.RequestStream.CompleteAsync();
                        await call.ResponseAsync;
                    }
                    break;
                default:
                    using (var call = invoker.AsyncDuplexStreamingCall(method, null, options))
                    {
                        await call.RequestStream.CompleteAsync();
                        while (await call.ResponseStream.MoveNext(CancellationToken.None))
                        {
                        }
                    }
                    break;
            }
            return StatusCode.OK;
        }
        catch (RpcException e)
        {
            return e.StatusCode;
        }
    }
}

[Trait("Database", "SQLite")]
public sealed class SqliteAuthorizationMatrixTests(SqliteFixture fixture) : AuthorizationMatrixTests(fixture), IClassFixture<SqliteFixture>;

[Trait("Database", "PostgreSQL")]
public sealed class PostgresAuthorizationMatrixTests(PostgresFixture fixture) : AuthorizationMatrixTests(fixture), IClassFixture<PostgresFixture>;
