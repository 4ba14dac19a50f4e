using Grpc.Core;
using RegistryExchange.Authority.Tests.Infrastructure;
using W = RegistryExchange.Contracts.V1;

namespace RegistryExchange.Authority.Tests;

/// <summary>Bad input gets INVALID_ARGUMENT naming the exact field, and the store does not change.</summary>
public abstract class ValidationTests(AuthorityFixture fixture) : AuthorityTestBase(fixture)
{
    private async Task RefusedAsync(string field, params W.RecordChange[] changes)
    {
        var school = Fixture.NewSchool();
        await PushAsync(school, Samples.Create(1, "existing"));
        var before = await CountsAsync(school);

        var e = await Rpc.FailsAsync(StatusCode.InvalidArgument, () => PushAsync(school, changes));

        Assert.Contains(field, e.FieldViolations().Select(v => v.Field));
        Assert.Equal(before, await CountsAsync(school));
    }

    [Fact]
    public Task An_ID_number_with_a_wrong_check_character_is_invalid()
    {
        var details = Samples.DetailsWithId();
        var id = details.Basic.IdNumber;
        details.Basic.IdNumber = id[..17] + (id[17] == '0' ? '1' : '0');
        return RefusedAsync("changes[0].created.details.basic.id_number", Samples.Create(2, "x", details));
    }

    [Fact]
    public Task An_impossible_date_is_invalid() =>
        RefusedAsync("changes[0].created.details.basic.birth_date", Samples.Create(2, "x", Samples.Details(birthDate: "2023-02-30")));

    [Fact]
    public Task An_unknown_enum_value_is_invalid() =>
        RefusedAsync("changes[0].created.details.enrollment.education_level",
            Samples.Create(2, "x", Samples.Details().With(d => d.Enrollment.EducationLevel = (W.EducationLevel)99)));

    [Fact]
    public Task An_unknown_status_event_kind_is_invalid() =>
        RefusedAsync("changes[0].status_changed.kind", Samples.Status(2, "existing", (W.StatusEventKind)99));

    [Fact]
    public Task An_empty_required_name_is_invalid() =>
        RefusedAsync("changes[0].created.details.basic.name", Samples.Create(2, "x", Samples.Details(name: "")));

    [Fact]
    public Task An_oversize_name_is_invalid() =>
        RefusedAsync("changes[0].created.details.basic.name", Samples.Create(2, "x", Samples.Details(name: new string('张', 51))));

    [Fact]
    public Task An_oversize_reason_of_a_create_is_invalid() =>
        RefusedAsync("changes[0].created.reason", Samples.Create(2, "x").With(c => c.Created.Reason = new string('因', 501)));

    [Fact]
    public Task A_bad_change_anywhere_in_a_batch_refuses_the_whole_batch() =>
        RefusedAsync("changes[2].created.details.basic.id_number",
            Samples.Create(2, "ok-1"), Samples.Create(3, "ok-2"),
            Samples.Create(4, "bad", Samples.Details().With(d => d.Basic.IdNumber = "110105200901011234")));

    [Fact]
    public Task Sequence_numbers_that_are_not_consecutive_are_invalid() =>
        RefusedAsync("changes[1].sequence", Samples.Create(2, "a"), Samples.Create(4, "b"));

    [Fact]
    public Task A_change_without_a_kind_is_invalid() =>
        RefusedAsync("changes[0].change", new W.RecordChange { Sequence = 2, StudentLocalId = "x" });

    [Fact]
    public Task An_empty_batch_is_invalid() => RefusedAsync("changes");

    [Fact]
    public async Task A_message_above_the_size_limit_is_refused_with_resource_exhausted()
    {
        var school = Fixture.NewSchool();
        var before = await CountsAsync(school);
        var huge = Samples.Create(1, "x").With(c => c.Created.Details.Basic.HouseholdAddress = new string('a', AuthorityFixture.MaxReceiveMessageBytes + 1));

        await Rpc.FailsAsync(StatusCode.ResourceExhausted, () => PushAsync(school, huge));

        Assert.Equal(before, await CountsAsync(school));
    }
}

[Trait("Database", "SQLite")]
public sealed class SqliteValidationTests(SqliteFixture fixture) : ValidationTests(fixture), IClassFixture<SqliteFixture>;

[Trait("Database", "PostgreSQL")]
public sealed class PostgresValidationTests(PostgresFixture fixture) : ValidationTests(fixture), IClassFixture<PostgresFixture>;
