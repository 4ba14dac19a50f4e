using Grpc.Core;
using RegistryExchange.Authority.Tests.Infrastructure;
using RegistryExchange.Domain.Codes;
using W = RegistryExchange.Contracts.V1;

namespace RegistryExchange.Authority.Tests.Authorization;

/// <summary>Each reader sees only what it needs: staff the whole record, a feed consumer no identifying or contact data.</summary>
[Trait("Database", "SQLite")]
public sealed class FieldMinimisationTests(SqliteFixture fixture) : AuthorityTestBase(fixture), IClassFixture<SqliteFixture>
{
    private async Task<List<W.FeedEntry>> ReadFeedAsync(string clientId)
    {
        var entries = new List<W.FeedEntry>();
        using var call = new W.ChangeFeedService.ChangeFeedServiceClient(Fixture.Channel(clientId))
            .SubscribeChanges(new W.SubscribeChangesRequest { Follow = false });
        await foreach (var response in call.ResponseStream.ReadAllAsync())
        {
            entries.AddRange(response.Entries);
        }
        return entries;
    }

    [Fact]
    public async Task A_feed_consumer_gets_no_full_id_number_address_phone_or_guardian_name_and_staff_get_the_whole_record()
    {
        var school = Fixture.NewSchool();
        var details = Samples.DetailsWithId();
        details.Basic.Phone = "13912345678";
        var created = await PushAsync(school, Samples.Create(1, "minimised", details));
        var number = created.Results[0].NationalStudentNumber;
        var changed = details.Clone();
        changed.Basic.HouseholdAddress = "北京市朝阳区新址2号";
        await PushAsync(school, Samples.Update(2, "minimised", changed, number));

        var consumerView = (await ReadFeedAsync(AuthorityFixture.FeedKey)).Where(e => e.NationalStudentNumber == number).ToList();
        var staffView = (await ReadFeedAsync(AuthorityFixture.StaffKey)).Where(e => e.NationalStudentNumber == number).ToList();

        Assert.Equal(2, consumerView.Count);
        var consumerBasics = new[] { consumerView[0].Change.Created.Details.Basic, consumerView[1].Change.Updated.Details.Basic };
        Assert.All(consumerBasics, basic =>
        {
            Assert.Equal(IdNumber.Mask(details.Basic.IdNumber), basic.IdNumber);
            Assert.NotEqual(details.Basic.IdNumber, basic.IdNumber);
            Assert.Equal("", basic.HouseholdAddress);
            Assert.Equal("", basic.Phone);
            Assert.All(basic.Guardians, g =>
            {
                Assert.Equal("", g.Name);
                Assert.Equal("", g.Phone);
                Assert.NotEqual("", g.Relation);
            });
            Assert.Equal(details.Basic.Name, basic.Name);
            Assert.Equal(details.Basic.BirthDate, basic.BirthDate);
        });
        Assert.Equal(details, staffView[0].Change.Created.Details);
        Assert.Equal(changed, staffView[1].Change.Updated.Details);
    }
}
