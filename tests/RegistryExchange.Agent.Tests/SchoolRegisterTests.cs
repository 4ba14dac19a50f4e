using Google.Rpc;
using Grpc.Core;
using Grpc.Health.V1;
using Microsoft.EntityFrameworkCore;
using RegistryExchange.Agent.Tests.Support;
using W = RegistryExchange.Contracts.V1;

namespace RegistryExchange.Agent.Tests;

public sealed class SchoolRegisterTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly AgentHost _agent;
    private readonly W.SchoolRegisterService.SchoolRegisterServiceClient _client;

    public SchoolRegisterTests()
    {
        _agent = new AgentHost(_dir.File("school.db"));
        _client = _agent.Client();
    }

    public void Dispose()
    {
        _agent.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task Creating_a_student_commits_the_row_and_its_outbox_entry_together()
    {
        var details = Students.One();

        var created = (await _client.CreateStudentAsync(new W.CreateStudentRequest { LocalId = "s-1", Details = details })).Student;

        Assert.Equal(W.StudentStatus.Enrolled, created.Status);
        Assert.Equal(1, created.Version);
        var entry = Assert.Single(await _agent.OutboxAsync());
        Assert.Equal(1, entry.Sequence);
        Assert.Equal("s-1", entry.LocalId);
        var change = W.RecordChange.Parser.ParseFrom(entry.Payload);
        Assert.Equal(1ul, change.Sequence);
        Assert.Equal("s-1", change.StudentLocalId);
        Assert.Equal(details, change.Created.Details);
        Assert.Equal(1, await _agent.QueryAsync(db => db.Students.CountAsync()));
    }

    [Fact]
    public async Task A_student_that_fails_validation_writes_neither_row_nor_outbox_entry()
    {
        var details = Students.One();
        details.Basic.IdNumber = details.Basic.IdNumber[..17] + (details.Basic.IdNumber[17] == '0' ? '1' : '0');
        details.Basic.BirthDate = "2015-02-30";

        var e = await Assert.ThrowsAsync<RpcException>(() => _client.CreateStudentAsync(new W.CreateStudentRequest { Details = details }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        var fields = e.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations.Select(v => v.Field).ToList();
        Assert.Contains("details.basic.id_number", fields);
        Assert.Contains("details.basic.birth_date", fields);
        Assert.Empty(await _agent.OutboxAsync());
        Assert.Equal(0, await _agent.QueryAsync(db => db.Students.CountAsync()));
    }

    [Fact]
    public async Task Sequence_numbers_have_no_gaps_under_concurrent_local_writes()
    {
        var students = Students.Sample(40);
        await Task.WhenAll(students.Select(async s =>
        {
            await _client.CreateStudentAsync(new W.CreateStudentRequest { LocalId = s.LocalId, Details = s.Details });
            var changed = s.Details.Clone();
            changed.Enrollment.ClassName = "9班";
            await _client.UpdateStudentAsync(new W.UpdateStudentRequest { LocalId = s.LocalId, Details = changed });
            await _client.ChangeStudentStatusAsync(new W.ChangeStudentStatusRequest
            {
                LocalId = s.LocalId,
                Event = new W.StatusChanged { Kind = W.StatusEventKind.Suspend, EffectiveDate = "2026-03-01", Reason = "病休" },
            });
        }));

        var sequences = (await _agent.OutboxAsync()).Select(o => o.Sequence).ToList();
        Assert.Equal(Enumerable.Range(1, 120).Select(i => (long)i), sequences);
        var payloadSequences = (await _agent.OutboxAsync()).Select(o => (long)W.RecordChange.Parser.ParseFrom(o.Payload).Sequence);
        Assert.Equal(sequences, payloadSequences);
    }

    [Fact]
    public async Task An_illegal_transition_is_failed_precondition_and_changes_nothing()
    {
        var s = Students.Sample(1)[0];
        await _client.CreateStudentAsync(new W.CreateStudentRequest { LocalId = s.LocalId, Details = s.Details });
        await _client.ChangeStudentStatusAsync(new W.ChangeStudentStatusRequest
        {
            LocalId = s.LocalId,
            Event = new W.StatusChanged { Kind = W.StatusEventKind.Suspend, EffectiveDate = "2026-03-01", Reason = "病休" },
        });

        var e = await Assert.ThrowsAsync<RpcException>(() => _client.ChangeStudentStatusAsync(new W.ChangeStudentStatusRequest
        {
            LocalId = s.LocalId,
            Event = new W.StatusChanged { Kind = W.StatusEventKind.Graduate, EffectiveDate = "2026-07-01", Reason = "毕业" },
        }).ResponseAsync);

        Assert.Equal(StatusCode.FailedPrecondition, e.StatusCode);
        Assert.Equal("ILLEGAL_TRANSITION", e.GetRpcStatus()!.GetDetail<ErrorInfo>().Reason);
        Assert.Equal(2, (await _agent.OutboxAsync()).Count);
        var stored = (await _client.GetStudentAsync(new W.GetStudentRequest { LocalId = s.LocalId })).Student;
        Assert.Equal(W.StudentStatus.Suspended, stored.Status);
        Assert.Equal(2, stored.StatusHistory.Count);
    }

    [Fact]
    public async Task A_status_event_with_a_bad_date_names_the_event_field()
    {
        var s = Students.Sample(1)[0];
        await _client.CreateStudentAsync(new W.CreateStudentRequest { LocalId = s.LocalId, Details = s.Details });

        var e = await Assert.ThrowsAsync<RpcException>(() => _client.ChangeStudentStatusAsync(new W.ChangeStudentStatusRequest
        {
            LocalId = s.LocalId,
            Event = new W.StatusChanged { Kind = W.StatusEventKind.Suspend, EffectiveDate = "2026-13-01", Reason = "病休" },
        }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal("event.effective_date", Assert.Single(e.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations).Field);
    }

    [Fact]
    public async Task An_unknown_student_is_not_found()
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => _client.UpdateStudentAsync(new W.UpdateStudentRequest { LocalId = "nobody", Details = Students.One() }).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, e.StatusCode);
        Assert.Empty(await _agent.OutboxAsync());
    }

    [Fact]
    public async Task An_update_with_a_stale_expected_version_is_aborted()
    {
        var s = Students.Sample(1)[0];
        await _client.CreateStudentAsync(new W.CreateStudentRequest { LocalId = s.LocalId, Details = s.Details });
        await _client.UpdateStudentAsync(new W.UpdateStudentRequest { LocalId = s.LocalId, Details = s.Details, ExpectedVersion = 1 });

        var e = await Assert.ThrowsAsync<RpcException>(() =>
            _client.UpdateStudentAsync(new W.UpdateStudentRequest { LocalId = s.LocalId, Details = s.Details, ExpectedVersion = 1 }).ResponseAsync);

        Assert.Equal(StatusCode.Aborted, e.StatusCode);
        Assert.Equal(2, (await _agent.OutboxAsync()).Count);
    }

    [Fact]
    public async Task A_second_student_with_the_same_local_id_already_exists()
    {
        var s = Students.Sample(1)[0];
        await _client.CreateStudentAsync(new W.CreateStudentRequest { LocalId = s.LocalId, Details = s.Details });

        var e = await Assert.ThrowsAsync<RpcException>(() => _client.CreateStudentAsync(new W.CreateStudentRequest { LocalId = s.LocalId, Details = s.Details }).ResponseAsync);

        Assert.Equal(StatusCode.AlreadyExists, e.StatusCode);
        Assert.Single(await _agent.OutboxAsync());
    }

    [Fact]
    public async Task Import_creates_the_valid_rows_and_reports_each_invalid_row_with_its_fields()
    {
        var rows = Students.Sample(6);
        var request = new W.ImportStudentsRequest();
        for (var i = 0; i < rows.Count; i++)
        {
            request.Rows.Add(new W.ImportRow { RowNumber = i + 2, LocalId = rows[i].LocalId, Details = rows[i].Details });
        }
        request.Rows[1].Details.Basic.Name = "";
        request.Rows[4].Details.Basic.GenderCode = "7";
        request.Rows[4].Details.Enrollment.EnrollmentDate = "yesterday";
        request.Rows[5].LocalId = rows[0].LocalId;

        var results = (await _client.ImportStudentsAsync(request)).Results;

        Assert.Equal([true, false, true, true, false, false], results.Select(r => r.Created));
        Assert.Equal(["basic.name"], results[1].Errors.Select(e => e.Field));
        Assert.Equal(["basic.gender_code", "enrollment.enrollment_date"], results[4].Errors.Select(e => e.Field).Order());
        Assert.Equal(["local_id"], results[5].Errors.Select(e => e.Field));
        Assert.Equal([2, 3, 4, 5, 6, 7], results.Select(r => r.RowNumber));
        var outbox = await _agent.OutboxAsync();
        Assert.Equal([1L, 2, 3], outbox.Select(o => o.Sequence));
        Assert.Equal([rows[0].LocalId, rows[2].LocalId, rows[3].LocalId], outbox.Select(o => o.LocalId));
        Assert.All(outbox, o => Assert.Equal(o.Sequence, (long)W.RecordChange.Parser.ParseFrom(o.Payload).Sequence));
        Assert.Equal(3, await _agent.QueryAsync(db => db.Students.CountAsync()));
    }

    [Fact]
    public async Task Listing_pages_by_local_id_and_filters_by_status()
    {
        foreach (var s in Students.Sample(5))
        {
            await _client.CreateStudentAsync(new W.CreateStudentRequest { LocalId = s.LocalId, Details = s.Details });
        }
        await _client.ChangeStudentStatusAsync(new W.ChangeStudentStatusRequest
        {
            LocalId = "stu-1-0000004",
            Event = new W.StatusChanged { Kind = W.StatusEventKind.Withdraw, EffectiveDate = "2026-03-01", Reason = "出国" },
        });

        var first = await _client.ListStudentsAsync(new W.ListStudentsRequest { PageSize = 2 });
        var second = await _client.ListStudentsAsync(new W.ListStudentsRequest { PageSize = 2, AfterLocalId = first.Students[^1].LocalId });
        var withdrawn = await _client.ListStudentsAsync(new W.ListStudentsRequest { Status = W.StudentStatus.Withdrawn });

        Assert.Equal(["stu-1-0000001", "stu-1-0000002"], first.Students.Select(s => s.LocalId));
        Assert.Equal(["stu-1-0000003", "stu-1-0000004"], second.Students.Select(s => s.LocalId));
        Assert.Equal("stu-1-0000004", Assert.Single(withdrawn.Students).LocalId);
    }

    [Fact]
    public async Task Sync_status_counts_local_changes_not_yet_at_the_authority()
    {
        foreach (var s in Students.Sample(3))
        {
            await _client.CreateStudentAsync(new W.CreateStudentRequest { LocalId = s.LocalId, Details = s.Details });
        }

        var status = await _client.GetSyncStatusAsync(new W.GetSyncStatusRequest());

        Assert.Equal("S110105001", status.SchoolCode);
        Assert.Equal(3ul, status.LastLocalSequence);
        Assert.Equal(3ul, status.PendingChanges);
        Assert.Equal(0ul, status.AuthorityHighWaterMark);
    }

    [Fact]
    public async Task The_health_service_reports_serving()
    {
        var health = new Health.HealthClient(_agent.AnonymousChannel());

        var response = await health.CheckAsync(new HealthCheckRequest());

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, response.Status);
    }
}
