using Grpc.Core;
using RegistryExchange.Authority.Tests.Infrastructure;
using W = RegistryExchange.Contracts.V1;

namespace RegistryExchange.Authority.Tests.Authorization;

/// <summary>Disabling a client stops its open streams at their next unit of work, not when they happen to end.</summary>
[Trait("Database", "SQLite")]
public sealed class TokenLivenessTests(SqliteFixture fixture) : AuthorityTestBase(fixture), IClassFixture<SqliteFixture>
{
    private W.ClientAdminService.ClientAdminServiceClient Admin() => new(Fixture.Channel(AuthorityFixture.StaffKey));

    [Fact]
    public async Task A_push_stream_opened_before_its_client_was_disabled_is_refused_at_the_next_batch_and_applies_nothing()
    {
        var registered = await Admin().RegisterSchoolAsync(new W.RegisterSchoolRequest { SchoolCode = "L001", Name = "停用测试学校", RegionCode = "110105" });
        var token = await Fixture.RequestTokenAsync(registered.Credentials.ClientId, registered.Credentials.ClientSecret);
        using var call = new W.SyncService.SyncServiceClient(Fixture.ChannelWithToken(token)).StreamChanges();

        await call.RequestStream.WriteAsync(new W.StreamChangesRequest { Changes = { Samples.Create(1, "before") } });
        Assert.True(await call.ResponseStream.MoveNext());
        Assert.Equal(W.ChangeOutcome.Accepted, call.ResponseStream.Current.Results.Single().Outcome);

        await Admin().DisableClientAsync(new W.DisableClientRequest { ClientId = registered.Credentials.ClientId, Reason = "test" });
        try
        {
            await call.RequestStream.WriteAsync(new W.StreamChangesRequest { Changes = { Samples.Create(2, "after") } });
        }
        catch (RpcException)
        {
            // the server may already have ended the call; its status is read below
        }
        var refused = await Rpc.FailsAsync(StatusCode.Unauthenticated, () => call.ResponseStream.MoveNext());

        Assert.Equal("TOKEN_NO_LONGER_VALID", refused.ErrorInfo()?.Reason);
        await using var db = Fixture.OpenDb();
        Assert.Equal(1, db.Schools.Single(s => s.Code == "L001").HighWaterMark);
    }

    [Fact]
    public async Task A_followed_feed_of_a_disabled_consumer_ends_before_the_next_page()
    {
        var consumer = await Admin().RegisterClientAsync(new W.RegisterClientRequest { Kind = W.ClientKind.FeedConsumer, DisplayName = "停用的分析系统" });
        var token = await Fixture.RequestTokenAsync(consumer.Credentials.ClientId, consumer.Credentials.ClientSecret);
        var school = Fixture.NewSchool();
        await PushAsync(school, Samples.Create(1, "first"));
        using var call = new W.ChangeFeedService.ChangeFeedServiceClient(Fixture.ChannelWithToken(token))
            .SubscribeChanges(new W.SubscribeChangesRequest { Follow = true });
        Assert.True(await call.ResponseStream.MoveNext());
        Assert.NotEmpty(call.ResponseStream.Current.Entries);

        await Admin().DisableClientAsync(new W.DisableClientRequest { ClientId = consumer.Credentials.ClientId, Reason = "test" });
        await PushAsync(school, Samples.Create(2, "second"));

        var refused = await Rpc.FailsAsync(StatusCode.Unauthenticated, () => call.ResponseStream.MoveNext());
        Assert.Equal("TOKEN_NO_LONGER_VALID", refused.ErrorInfo()?.Reason);
    }

    [Fact]
    public async Task A_purpose_in_chinese_sent_percent_encoded_is_kept_decoded()
    {
        var school = Fixture.NewSchool();
        var headers = new Metadata { { "rx-purpose", Uri.EscapeDataString("学籍核对") } };
        var created = await Sync(school).PushChangesAsync(new W.PushChangesRequest { Changes = { Samples.Create(1, "purpose") } }, headers);

        var access = await new W.AuditService.AuditServiceClient(Fixture.Channel(AuthorityFixture.StaffKey))
            .ListStudentAccessAsync(new W.ListStudentAccessRequest { NationalStudentNumber = created.Results[0].NationalStudentNumber });
        Assert.Contains(access.Entries, e => e.Purpose == "学籍核对");
    }
}
