using Google.Protobuf;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using RegistryExchange.Authority.Tests.Infrastructure;
using RegistryExchange.Storage.Json;
using W = RegistryExchange.Contracts.V1;

namespace RegistryExchange.Authority.Tests;

public abstract class SyncTests(AuthorityFixture fixture) : AuthorityTestBase(fixture)
{
    [Fact]
    public async Task Changes_are_applied_exactly_once_in_sequence_order()
    {
        var school = Fixture.NewSchool();
        var details = Samples.DetailsWithId();
        var first = await PushAsync(school,
            Samples.Create(1, "a1", details),
            Samples.Update(2, "a1", details.Clone().With(d => d.Enrollment.ClassName = "2班")),
            Samples.Status(3, "a1", W.StatusEventKind.Suspend),
            Samples.Status(4, "a1", W.StatusEventKind.Resume));
        var second = await PushAsync(school, Samples.Status(5, "a1", W.StatusEventKind.Graduate));

        var results = first.Results.Concat(second.Results).ToList();
        Assert.Equal([1UL, 2, 3, 4, 5], results.Select(r => r.Sequence));
        Assert.All(results, r => Assert.Equal(W.ChangeOutcome.Accepted, r.Outcome));
        Assert.All(results, r => Assert.Equal("G" + details.Basic.IdNumber, r.NationalStudentNumber));
        Assert.Equal(results.Select(r => r.FeedVersion).Order(), results.Select(r => r.FeedVersion));
        Assert.Equal(5UL, second.HighWaterMark);

        await using var db = Fixture.OpenDb();
        var student = await db.Students.SingleAsync(s => s.OwnerSchoolCode == school.Code);
        Assert.Equal(Domain.Students.StudentStatus.Graduated, student.Status);
        Assert.Equal(5, student.Version);
        var record = RecordJson.Deserialize(student.RecordJson);
        Assert.Equal("2班", record.Details.Enrollment.ClassName);
        Assert.Equal("张𠮷", record.Details.Basic.Name);
        Assert.Equal(
            [Domain.Students.StatusEventKind.Enroll, Domain.Students.StatusEventKind.Suspend, Domain.Students.StatusEventKind.Resume, Domain.Students.StatusEventKind.Graduate],
            record.History.Select(h => h.Kind));
        Assert.Equal(5, await db.ChangeLog.CountAsync(c => c.SchoolCode == school.Code));
    }

    [Fact]
    public async Task A_gap_in_sequence_numbers_is_refused_with_the_expected_sequence_and_nothing_is_written()
    {
        var school = Fixture.NewSchool();
        await PushAsync(school, Samples.Creates(1, 2));
        var before = await CountsAsync(school);

        var e = await Rpc.FailsAsync(StatusCode.FailedPrecondition, () => PushAsync(school, Samples.Creates(5, 2)));

        var info = e.ErrorInfo();
        Assert.NotNull(info);
        Assert.Equal("SEQUENCE_GAP", info.Reason);
        Assert.Equal("3", info.Metadata["expected_sequence"]);
        Assert.Equal(before, await CountsAsync(school));
    }

    [Fact]
    public async Task One_batch_replayed_many_times_also_concurrently_has_one_effect_and_identical_results()
    {
        var school = Fixture.NewSchool();
        var batch = new W.PushChangesRequest { Changes = { Samples.Creates(1, 40) } };
        batch.Changes.Add(Samples.Status(41, "s1", W.StatusEventKind.Withdraw));
        batch.Changes.Add(Samples.Status(42, "s1", W.StatusEventKind.Resume)); // illegal: rejected, and replayed as rejected
        var client = Sync(school);

        var concurrent = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => client.PushChangesAsync(batch).ResponseAsync));
        var sequential = new List<W.PushChangesResponse>();
        for (var i = 0; i < 5; i++)
        {
            sequential.Add(await client.PushChangesAsync(batch));
        }

        var expected = concurrent[0].ToByteArray();
        Assert.All(concurrent.Concat(sequential), r => Assert.Equal(expected, r.ToByteArray()));
        Assert.Equal(W.RejectionReason.IllegalTransition, concurrent[0].Results[^1].RejectionReason);
        var counts = await CountsAsync(school);
        Assert.Equal(42, counts.HighWaterMark);
        await using var db = Fixture.OpenDb();
        Assert.Equal(40, await db.Students.CountAsync(s => s.OwnerSchoolCode == school.Code));
        Assert.Equal(42, await db.ChangeLog.CountAsync(c => c.SchoolCode == school.Code));
    }

    [Fact]
    public async Task A_batch_reaching_past_the_high_water_mark_replays_the_applied_part_and_applies_the_rest()
    {
        var school = Fixture.NewSchool();
        var creates = Samples.Creates(1, 5);
        var first = await PushAsync(school, creates.Take(3));

        var second = await PushAsync(school, creates.Skip(1));

        Assert.Equal(first.Results.Skip(1).Select(r => r.ToByteArray()), second.Results.Take(2).Select(r => r.ToByteArray()));
        Assert.Equal([4UL, 5], second.Results.Skip(2).Select(r => r.Sequence));
        Assert.All(second.Results, r => Assert.Equal(W.ChangeOutcome.Accepted, r.Outcome));
        Assert.Equal(5UL, second.HighWaterMark);
    }

    [Fact]
    public async Task National_numbers_are_G_and_the_ID_number_or_a_J_number_assigned_in_the_schools_region()
    {
        var school = Fixture.NewSchool();
        var neighbour = Fixture.NewSchool();
        var withId = Samples.DetailsWithId();

        var response = await PushAsync(school, Samples.Create(1, "with-id", withId), Samples.Create(2, "no-id-1", Samples.Details()), Samples.Create(3, "no-id-2", Samples.Details()));
        var other = await PushAsync(neighbour, Samples.Create(1, "no-id", Samples.Details()));

        Assert.Equal("G" + withId.Basic.IdNumber, response.Results[0].NationalStudentNumber);
        var assigned = response.Results.Skip(1).Concat(other.Results).Select(r => r.NationalStudentNumber).ToList();
        Assert.All(assigned, n => Assert.Matches("^J110105[0-9]{11}$", n));
        Assert.Equal(assigned.Count, assigned.Distinct().Count());
        Assert.All(assigned, n => Assert.True(Domain.Codes.NationalStudentNumber.IsWellFormed(n)));
    }

    [Fact]
    public async Task A_change_naming_another_schools_student_is_rejected_as_not_owner_and_changes_nothing()
    {
        var owner = Fixture.NewSchool();
        var intruder = Fixture.NewSchool();
        var details = Samples.DetailsWithId();
        var created = await PushAsync(owner, Samples.Create(1, "mine", details));
        var number = created.Results[0].NationalStudentNumber;

        var response = await PushAsync(intruder,
            Samples.Update(1, "theirs", details.Clone().With(d => d.Basic.Name = "李四"), number),
            Samples.Status(2, "theirs", W.StatusEventKind.Withdraw, number));

        Assert.All(response.Results, r =>
        {
            Assert.Equal(W.ChangeOutcome.Rejected, r.Outcome);
            Assert.Equal(W.RejectionReason.NotOwner, r.RejectionReason);
            Assert.Contains("owned by another school", r.Message, StringComparison.Ordinal);
            Assert.Equal(0, r.FeedVersion);
        });
        Assert.Equal(2UL, response.HighWaterMark);
        await using var db = Fixture.OpenDb();
        var student = await db.Students.SingleAsync(s => s.NationalStudentNumber == number);
        Assert.Equal(owner.Code, student.OwnerSchoolCode);
        Assert.Equal(1, student.Version);
        Assert.Equal("张𠮷", RecordJson.Deserialize(student.RecordJson).Details.Basic.Name);
    }

    [Fact]
    public async Task Rejected_changes_consume_their_sequence_and_are_listed_newest_first_for_their_school_only()
    {
        var school = Fixture.NewSchool();
        var (id, birth) = Samples.NewIdNumber();
        var response = await PushAsync(school,
            Samples.Create(1, "a", Samples.Details(id, birth)),
            Samples.Create(2, "a"),                                         // same local id again
            Samples.Update(3, "ghost", Samples.Details()),                  // never created
            Samples.Status(4, "a", W.StatusEventKind.Resume),               // not suspended
            Samples.Create(5, "b", Samples.Details(id, birth)),             // ID of this school's record "a"
            Samples.Status(6, "a", W.StatusEventKind.Suspend));

        Assert.Equal(
            [W.RejectionReason.Unspecified, W.RejectionReason.AlreadyRegistered, W.RejectionReason.UnknownStudent,
             W.RejectionReason.IllegalTransition, W.RejectionReason.Conflict, W.RejectionReason.Unspecified],
            response.Results.Select(r => r.RejectionReason));
        Assert.DoesNotContain(id, response.Results[4].Message, StringComparison.Ordinal);

        var listed = await Sync(school).ListRejectedChangesAsync(new W.ListRejectedChangesRequest());
        Assert.Equal([5UL, 4, 3, 2], listed.RejectedChanges.Select(r => r.Sequence));
        Assert.Equal(response.Results[2].ToByteArray(), listed.RejectedChanges[2].Result.ToByteArray());
        var page = await Sync(school).ListRejectedChangesAsync(new W.ListRejectedChangesRequest { BeforeSequence = 4, PageSize = 1 });
        Assert.Equal([3UL], page.RejectedChanges.Select(r => r.Sequence));
        var otherSchool = await Sync(Fixture.NewSchool()).ListRejectedChangesAsync(new W.ListRejectedChangesRequest());
        Assert.Empty(otherSchool.RejectedChanges);
    }

    [Fact]
    public async Task Stream_changes_answers_each_batch_in_order_and_shares_the_high_water_mark()
    {
        var school = Fixture.NewSchool();
        using var call = Sync(school).StreamChanges();
        var responses = new List<W.StreamChangesResponse>();
        for (ulong start = 1; start <= 30; start += 10)
        {
            await call.RequestStream.WriteAsync(new W.StreamChangesRequest { Changes = { Samples.Creates(start, 10) } });
        }
        await call.RequestStream.CompleteAsync();
        await foreach (var response in call.ResponseStream.ReadAllAsync())
        {
            responses.Add(response);
        }

        Assert.Equal([10UL, 20, 30], responses.Select(r => r.HighWaterMark));
        Assert.Equal(Enumerable.Range(1, 30).Select(i => (ulong)i), responses.SelectMany(r => r.Results).Select(r => r.Sequence));
        var hwm = await Sync(school).GetHighWaterMarkAsync(new W.GetHighWaterMarkRequest());
        Assert.Equal(school.Code, hwm.SchoolCode);
        Assert.Equal(30UL, hwm.HighWaterMark);
    }

    [Fact]
    public async Task A_stream_stops_at_the_first_refused_batch_after_answering_the_ones_before_it()
    {
        var school = Fixture.NewSchool();
        using var call = Sync(school).StreamChanges();
        await call.RequestStream.WriteAsync(new W.StreamChangesRequest { Changes = { Samples.Creates(1, 3) } });
        await call.RequestStream.WriteAsync(new W.StreamChangesRequest { Changes = { Samples.Create(4, "bad", Samples.Details(birthDate: "2023-02-30")) } });
        await call.RequestStream.WriteAsync(new W.StreamChangesRequest { Changes = { Samples.Creates(5, 3) } });

        Assert.True(await call.ResponseStream.MoveNext());
        Assert.Equal(3UL, call.ResponseStream.Current.HighWaterMark);
        var e = await Rpc.FailsAsync(StatusCode.InvalidArgument, () => call.ResponseStream.MoveNext());
        Assert.Contains("changes[0].created.details.basic.birth_date", e.FieldViolations().Select(v => v.Field));
        Assert.Equal(3, (await CountsAsync(school)).HighWaterMark);
    }

    [Fact]
    public async Task Two_records_can_swap_ID_numbers_within_one_batch()
    {
        var school = Fixture.NewSchool();
        var (idA, birthA) = Samples.NewIdNumber();
        var (idB, birthB) = Samples.NewIdNumber();
        // Registered without ID numbers (J-numbers), then given theirs the wrong way round.
        await PushAsync(school, Samples.Create(1, "a", Samples.Details()), Samples.Create(2, "b", Samples.Details()));
        await PushAsync(school, Samples.Update(3, "a", Samples.Details(idA, birthA)), Samples.Update(4, "b", Samples.Details(idB, birthB)));

        var response = await PushAsync(school,
            Samples.Update(5, "a", Samples.Details()),
            Samples.Update(6, "b", Samples.Details(idA, birthA)),
            Samples.Update(7, "a", Samples.Details(idB, birthB)));

        Assert.All(response.Results, r => Assert.Equal(W.ChangeOutcome.Accepted, r.Outcome));
        await using var db = Fixture.OpenDb();
        var ids = await db.Students.Where(s => s.OwnerSchoolCode == school.Code).ToDictionaryAsync(s => s.LocalId, s => s.IdNumber);
        Assert.Equal(idB, ids["a"]);
        Assert.Equal(idA, ids["b"]);
    }

    [Fact]
    public async Task A_G_number_keeps_its_ID_number_from_being_registered_again()
    {
        var school = Fixture.NewSchool();
        var (idA, birthA) = Samples.NewIdNumber();
        var (idB, birthB) = Samples.NewIdNumber();
        await PushAsync(school, Samples.Create(1, "a", Samples.Details(idA, birthA)));

        var response = await PushAsync(school,
            Samples.Update(2, "a", Samples.Details(idB, birthB)),
            Samples.Create(3, "b", Samples.Details(idA, birthA)));

        Assert.Equal(W.ChangeOutcome.Accepted, response.Results[0].Outcome);
        Assert.Equal(W.RejectionReason.Conflict, response.Results[1].RejectionReason);
    }
}

internal static class MessageExtensions
{
    public static T With<T>(this T message, Action<T> change)
    {
        change(message);
        return message;
    }
}

[Trait("Database", "SQLite")]
public sealed class SqliteSyncTests(SqliteFixture fixture) : SyncTests(fixture), IClassFixture<SqliteFixture>;

[Trait("Database", "PostgreSQL")]
public sealed class PostgresSyncTests(PostgresFixture fixture) : SyncTests(fixture), IClassFixture<PostgresFixture>;

[Trait("Database", "SQLite")]
[Trait("Ingest", "PerEntity")]
public sealed class SqlitePerEntitySyncTests(SqlitePerEntityFixture fixture) : SyncTests(fixture), IClassFixture<SqlitePerEntityFixture>;

[Trait("Database", "PostgreSQL")]
[Trait("Ingest", "PerEntity")]
public sealed class PostgresPerEntitySyncTests(PostgresPerEntityFixture fixture) : SyncTests(fixture), IClassFixture<PostgresPerEntityFixture>;
