using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Quartz;
using RegistryExchange.Authority.Audit;
using RegistryExchange.Authority.Tests.Infrastructure;
using RegistryExchange.Storage.Model;
using W = RegistryExchange.Contracts.V1;

namespace RegistryExchange.Authority.Tests.Audit;

/// <summary>The authority fixture with the audit keys in a directory of its own (inside the fixture's, which it deletes).</summary>
public sealed class SqliteAuditFixture : SqliteFixture
{
    protected override IEnumerable<(string Key, string Value)> ExtraSettings() => [("Audit:KeyDirectory", Path.Combine(KeyDirectory, "audit"))];
}

public sealed class PostgresAuditFixture : PostgresFixture
{
    protected override IEnumerable<(string Key, string Value)> ExtraSettings() => [("Audit:KeyDirectory", Path.Combine(KeyDirectory, "audit"))];
}

/// <summary>Every read and write of personal data at the authority leaves an entry, through the real host and tokens.</summary>
public abstract class AuditLogTests(AuthorityFixture fixture) : AuthorityTestBase(fixture)
{
    private W.AuditService.AuditServiceClient Audit(string clientId) => new(Fixture.Channel(clientId));

    private async Task<List<(AuditEntryRow Entry, List<string> Subjects)>> EntriesAsync(Func<AuditEntryRow, bool> match)
    {
        await using var db = Fixture.OpenDb();
        var entries = (await db.AuditEntries.AsNoTracking().OrderBy(e => e.Sequence).ToListAsync()).Where(match).ToList();
        var sequences = entries.Select(e => e.Sequence).ToList();
        var subjects = await db.AuditSubjects.AsNoTracking().Where(s => sequences.Contains(s.EntrySequence)).ToListAsync();
        return [.. entries.Select(e => (e, subjects.Where(s => s.EntrySequence == e.Sequence).Select(s => s.StudentKey).Order(StringComparer.Ordinal).ToList()))];
    }

    [Fact]
    public async Task A_push_is_audited_once_per_batch_with_its_students_and_a_replay_adds_nothing()
    {
        var school = Fixture.NewSchool();
        var withId = Samples.DetailsWithId();
        var changes = new[]
        {
            Samples.Create(1, "a1", withId),
            Samples.Create(2, "a2", Samples.Details()),
            Samples.Update(3, "never-created", Samples.Details()),
        };

        var response = await Sync(school).PushChangesAsync(new W.PushChangesRequest { Changes = { changes } },
            new Metadata { { "rx-purpose", "autumn-enrolment" } });
        await Sync(school).PushChangesAsync(new W.PushChangesRequest { Changes = { changes } });

        var (entry, subjects) = Assert.Single(await EntriesAsync(e => e.ActorSchoolCode == school.Code && e.Action == AuditActions.SyncPush));
        Assert.Equal((AuthorityFixture.AgentOf(school.Code), "school", "autumn-enrolment"), (entry.ActorClientId, entry.ActorKind, entry.Purpose));
        Assert.Equal($"school {school.Code} sequences 1..3: 2 accepted, 1 rejected", entry.Detail);
        Assert.Equal(3, entry.SubjectCount);
        Assert.Equal(new[] { "G" + withId.Basic.IdNumber, response.Results[1].NationalStudentNumber, school.Code + "/never-created" }
            .Order(StringComparer.Ordinal), subjects);
    }

    [Fact]
    public async Task Feed_pages_rejected_lists_and_duplicate_lists_are_audited_before_they_are_returned()
    {
        var first = Fixture.NewSchool();
        var second = Fixture.NewSchool();
        var details = Samples.DetailsWithId();
        var pushed = await PushAsync(first, Samples.Create(1, "orig", details), Samples.Create(2, "other"));
        await PushAsync(second, Samples.Create(1, "claim", details.Clone()));
        var feedFrom = pushed.Results[0].FeedVersion - 1;

        var feed = new W.ChangeFeedService.ChangeFeedServiceClient(Fixture.Channel(AuthorityFixture.FeedKey));
        using (var call = feed.SubscribeChanges(new W.SubscribeChangesRequest { AfterVersion = feedFrom, MaxEntriesPerResponse = 1 }))
        {
            await foreach (var _ in call.ResponseStream.ReadAllAsync())
            {
            }
        }
        var rejected = await Sync(second).ListRejectedChangesAsync(new W.ListRejectedChangesRequest());
        var cases = await new W.DuplicateCaseService.DuplicateCaseServiceClient(Fixture.Channel(AuthorityFixture.StaffKey))
            .ListDuplicateCasesAsync(new W.ListDuplicateCasesRequest { IncludeResolved = true });

        var nationalNumber = pushed.Results[0].NationalStudentNumber;
        var feedReads = await EntriesAsync(e => e.Action == AuditActions.FeedRead && e.ActorClientId == AuthorityFixture.FeedKey);
        Assert.Contains(feedReads, r => r.Subjects.SequenceEqual([nationalNumber]) && r.Entry.Purpose == "registry-distribution"
            && r.Entry.Detail == $"versions {pushed.Results[0].FeedVersion}..{pushed.Results[0].FeedVersion}" && r.Entry.ActorKind == "feed");
        Assert.Contains(feedReads, r => r.Subjects.SequenceEqual([pushed.Results[1].NationalStudentNumber]));
        Assert.Single(rejected.RejectedChanges);
        var (listed, listedSubjects) = Assert.Single(await EntriesAsync(e => e.Action == AuditActions.SyncRejectedList && e.ActorSchoolCode == second.Code));
        Assert.Equal([second.Code + "/claim"], listedSubjects);
        Assert.Equal("1 rejected changes, sequences 1..1", listed.Detail);
        Assert.Contains(cases.Cases, c => c.ClaimingSchoolCode == second.Code);
        var duplicateReads = await EntriesAsync(e => e.Action == AuditActions.DuplicatesList && e.ActorClientId == AuthorityFixture.StaffKey);
        Assert.Contains(duplicateReads, r => r.Subjects.Contains(nationalNumber) && r.Subjects.Contains(second.Code + "/claim") && r.Entry.ActorKind == "staff");
    }

    [Fact]
    public async Task Who_accessed_a_record_answers_staff_and_the_owning_school_and_refuses_others()
    {
        var owner = Fixture.NewSchool();
        var stranger = Fixture.NewSchool();
        var pushed = await PushAsync(owner, Samples.Create(1, "watched"));
        var number = pushed.Results[0].NationalStudentNumber;
        var feed = new W.ChangeFeedService.ChangeFeedServiceClient(Fixture.Channel(AuthorityFixture.FeedKey));
        using (var call = feed.SubscribeChanges(new W.SubscribeChangesRequest { AfterVersion = pushed.Results[0].FeedVersion - 1, MaxEntriesPerResponse = 1 }))
        {
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        }

        var byStaff = await Audit(AuthorityFixture.StaffKey).ListStudentAccessAsync(new W.ListStudentAccessRequest { NationalStudentNumber = number },
            new Metadata { { "rx-purpose", "complaint 2026-17" } });
        var byOwner = await Audit(owner.Key).ListStudentAccessAsync(new W.ListStudentAccessRequest { NationalStudentNumber = number, PageSize = 2 });
        var denied = await Rpc.FailsAsync(StatusCode.PermissionDenied, async () =>
            await Audit(stranger.Key).ListStudentAccessAsync(new W.ListStudentAccessRequest { NationalStudentNumber = number }));
        await Rpc.FailsAsync(StatusCode.PermissionDenied, async () =>
            await Audit(AuthorityFixture.FeedKey).ListStudentAccessAsync(new W.ListStudentAccessRequest { NationalStudentNumber = number }));
        await Rpc.FailsAsync(StatusCode.InvalidArgument, async () =>
            await Audit(AuthorityFixture.StaffKey).ListStudentAccessAsync(new W.ListStudentAccessRequest()));

        // Newest first, the query itself included.
        Assert.Equal(
            [(AuditActions.AuditStudentAccess, AuthorityFixture.StaffKey), (AuditActions.FeedRead, AuthorityFixture.FeedKey), (AuditActions.SyncPush, owner.Key)],
            byStaff.Entries.Select(e => (e.Action, e.ActorClientId)));
        Assert.Equal("complaint 2026-17", byStaff.Entries[0].Purpose);
        Assert.Equal(
            [(AuditActions.AuditStudentAccess, owner.Key), (AuditActions.AuditStudentAccess, AuthorityFixture.StaffKey)],
            byOwner.Entries.Select(e => (e.Action, e.ActorClientId)));
        var older = await Audit(owner.Key).ListStudentAccessAsync(new W.ListStudentAccessRequest
        {
            NationalStudentNumber = number,
            BeforeSequence = byOwner.Entries[^1].Sequence,
        });
        Assert.Equal([AuditActions.FeedRead, AuditActions.SyncPush], older.Entries.Select(e => e.Action));
        Assert.Equal("NOT_OWNER", denied.ErrorInfo()?.Reason);
        Assert.DoesNotContain(number, denied.Status.Detail, StringComparison.Ordinal);
        // A refused query reads nothing and leaves nothing.
        Assert.Empty(await EntriesAsync(e => e.ActorSchoolCode == stranger.Code));
    }

    [Fact]
    public async Task The_log_verifies_over_grpc_and_checkpoints_are_listed_and_scheduled_at_least_every_minute()
    {
        var school = Fixture.NewSchool();
        await PushAsync(school, Samples.Creates(1, 3));
        var writer = Fixture.Factory.Services.GetRequiredService<AuditCheckpointWriter>();
        await writer.WriteAsync(CancellationToken.None);

        var verified = await Audit(AuthorityFixture.StaffKey).VerifyAuditLogAsync(new W.VerifyAuditLogRequest());
        var checkpoints = await Audit(AuthorityFixture.StaffKey).ListAuditCheckpointsAsync(new W.ListAuditCheckpointsRequest { PageSize = 1 });

        Assert.True(verified.Intact, verified.Message);
        Assert.Equal(W.AuditProblem.Unspecified, verified.Problem);
        Assert.True(verified.EntriesChecked >= 2);
        Assert.True(verified.CheckpointsChecked >= 1);
        var newest = Assert.Single(checkpoints.Checkpoints);
        Assert.Equal(verified.LastCheckpointSequence, newest.Sequence);
        var keys = Fixture.Factory.Services.GetRequiredService<AuditKeyRing>();
        Assert.Equal(newest.Hash, keys.Verify(newest.Signature)?.HashHex);
        await Rpc.FailsAsync(StatusCode.PermissionDenied, async () => await Audit(school.Key).VerifyAuditLogAsync(new W.VerifyAuditLogRequest()));
        await Rpc.FailsAsync(StatusCode.PermissionDenied, async () => await Audit(AuthorityFixture.FeedKey).ListAuditCheckpointsAsync(new W.ListAuditCheckpointsRequest()));
        await Rpc.FailsAsync(StatusCode.Unauthenticated, async () => await new W.AuditService.AuditServiceClient(Fixture.Channel(null)).VerifyAuditLogAsync(new W.VerifyAuditLogRequest()));

        var scheduler = await Fixture.Factory.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        var trigger = Assert.Single(await scheduler.GetTriggersOfJob(AuditCheckpointJob.Key));
        var interval = Assert.IsAssignableFrom<ISimpleTrigger>(trigger).RepeatInterval;
        Assert.InRange(interval, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
        Assert.Contains(AuditCheckpointJob.Key, await scheduler.GetJobKeys(GroupMatcher<JobKey>.GroupEquals("audit")));
    }

    [Fact]
    public async Task Appends_from_two_instances_at_once_keep_one_contiguous_chain()
    {
        var schools = Enumerable.Range(0, 4).Select(_ => Fixture.NewSchool()).ToList();
        var instances = new[] { Fixture.Factory, Fixture.SecondInstance };
        try
        {
            await Task.WhenAll(schools.Select(async (school, i) =>
            {
                var sync = new W.SyncService.SyncServiceClient(Fixture.Channel(instances[i % 2], school.Key));
                var feed = new W.ChangeFeedService.ChangeFeedServiceClient(Fixture.Channel(instances[(i + 1) % 2], AuthorityFixture.FeedKey));
                for (var batch = 0; batch < 5; batch++)
                {
                    await sync.PushChangesAsync(new W.PushChangesRequest { Changes = { Samples.Creates((ulong)(batch * 4) + 1, 4, $"p{batch}-") } });
                    using var call = feed.SubscribeChanges(new W.SubscribeChangesRequest { AfterVersion = 0, MaxEntriesPerResponse = 50 });
                    Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
                }
            }));
        }
        catch (RpcException e)
        {
            // The server's side of the failure, for whoever reads the test report.
            var server = Fixture.Logs.Lines.Where(l => l.StartsWith("Error", StringComparison.Ordinal) || l.StartsWith("Critical", StringComparison.Ordinal)).Take(5);
            throw new Xunit.Sdk.XunitException($"{e.Status}; server errors:{Environment.NewLine}{string.Join(Environment.NewLine, server)}");
        }

        await using var db = Fixture.OpenDb();
        var sequences = await db.AuditEntries.OrderBy(e => e.Sequence).Select(e => e.Sequence).ToListAsync();
        Assert.Equal(Enumerable.Range(1, sequences.Count).Select(i => (long)i), sequences);
        Assert.Equal(4, (await EntriesAsync(e => schools.Any(s => s.Code == e.ActorSchoolCode) && e.Action == AuditActions.SyncPush))
            .GroupBy(r => r.Entry.ActorSchoolCode).Count(g => g.Count() == 5));
        var verified = await Audit(AuthorityFixture.StaffKey).VerifyAuditLogAsync(new W.VerifyAuditLogRequest());
        Assert.True(verified.Intact, verified.Message);
    }

    [Fact]
    public async Task A_batch_that_fails_after_its_writes_leaves_neither_data_nor_an_audit_entry()
    {
        var school = Fixture.NewSchool();
        await PushAsync(school, Samples.Create(1, "before"));
        var before = await CountsAsync(school);
        var entriesBefore = await AuditCountAsync();
        var fail = Fixture.Provider == "Postgres"
            ? new[]
            {
                "CREATE OR REPLACE FUNCTION rx_test_fail() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$ LANGUAGE plpgsql",
                "CREATE TRIGGER rx_test_fail_audit BEFORE INSERT ON audit_subjects FOR EACH ROW WHEN (NEW.student_key LIKE '%/crash-in-audit') EXECUTE FUNCTION rx_test_fail()",
                "CREATE TRIGGER rx_test_fail_log BEFORE INSERT ON change_log FOR EACH ROW WHEN (NEW.student_local_id = 'crash-in-log') EXECUTE FUNCTION rx_test_fail()",
            }
            : new[]
            {
                "CREATE TRIGGER rx_test_fail_audit BEFORE INSERT ON audit_subjects WHEN NEW.student_key LIKE '%/crash-in-audit' BEGIN SELECT RAISE(ABORT, 'injected failure'); END",
                "CREATE TRIGGER rx_test_fail_log BEFORE INSERT ON change_log WHEN NEW.student_local_id = 'crash-in-log' BEGIN SELECT RAISE(ABORT, 'injected failure'); END",
            };
        await ExecuteAsync(fail);
        try
        {
            // Fails while writing the audit subjects: every student and change_log row of the batch is written by then.
            await Assert.ThrowsAsync<RpcException>(async () => await PushAsync(school,
                Samples.Create(2, "new-1"), Samples.Create(3, "new-2"), Samples.Update(4, "crash-in-audit", Samples.Details())));
            // Fails halfway through the change_log rows, before the audit entry.
            await Assert.ThrowsAsync<RpcException>(async () => await PushAsync(school,
                Samples.Create(2, "new-1"), Samples.Create(3, "crash-in-log"), Samples.Create(4, "new-3")));
        }
        finally
        {
            await ExecuteAsync(["DROP TRIGGER rx_test_fail_audit" + (Fixture.Provider == "Postgres" ? " ON audit_subjects" : ""),
                "DROP TRIGGER rx_test_fail_log" + (Fixture.Provider == "Postgres" ? " ON change_log" : "")]);
        }

        Assert.Equal(before, await CountsAsync(school));
        Assert.Equal(entriesBefore, await AuditCountAsync());
        // And the same batch goes through once the fault is gone, with its entry.
        await PushAsync(school, Samples.Create(2, "new-1"), Samples.Create(3, "new-2"));
        Assert.Equal(entriesBefore + 1, await AuditCountAsync());
        var verified = await Audit(AuthorityFixture.StaffKey).VerifyAuditLogAsync(new W.VerifyAuditLogRequest());
        Assert.True(verified.Intact, verified.Message);
    }

    [Fact]
    public async Task A_realistic_exchange_leaves_no_full_ID_number_in_any_log_line_error_or_audit_detail()
    {
        var first = Fixture.NewSchool();
        var second = Fixture.NewSchool();
        var students = Enumerable.Range(0, 5).Select(_ => Samples.DetailsWithId()).ToList();
        var ids = students.Select(s => s.Basic.IdNumber).ToList();
        var errors = new List<string>();
        var pushed = await PushAsync(first, students.Select((d, i) => Samples.Create((ulong)i + 1, $"m{i}", d)));
        // The second school claims two of the same people: rejected, duplicate cases opened.
        await PushAsync(second, Samples.Create(1, "c0", students[0].Clone()), Samples.Create(2, "c1", students[1].Clone()));
        var changed = students[2].Clone();
        changed.Basic.IdNumber = ids[3];
        await PushAsync(first, Samples.Update(6, "m2", changed)); // collides with m3's number at the same school
        errors.Add((await Assert.ThrowsAsync<RpcException>(async () => await PushAsync(first, Samples.Create(8, "gap", students[4].Clone())))).ToString());
        var broken = students[4].Clone();
        broken.Basic.IdNumber = ids[4][..17] + (ids[4][^1] == '0' ? "1" : "0");
        errors.Add((await Assert.ThrowsAsync<RpcException>(async () => await PushAsync(first, Samples.Create(7, "bad", broken)))).ToString());

        // Staff read the feed whole (consumers get it minimised): the records carry the numbers, the logs must not.
        var feed = new W.ChangeFeedService.ChangeFeedServiceClient(Fixture.Channel(AuthorityFixture.StaffKey));
        var feedText = new List<string>();
        using (var call = feed.SubscribeChanges(new W.SubscribeChangesRequest { AfterVersion = pushed.Results[0].FeedVersion - 1 }))
        {
            await foreach (var page in call.ResponseStream.ReadAllAsync())
            {
                feedText.Add(page.ToString());
            }
        }
        await Sync(first).ListRejectedChangesAsync(new W.ListRejectedChangesRequest());
        await Sync(second).ListRejectedChangesAsync(new W.ListRejectedChangesRequest());
        var staffCases = new W.DuplicateCaseService.DuplicateCaseServiceClient(Fixture.Channel(AuthorityFixture.StaffKey));
        var cases = await staffCases.ListDuplicateCasesAsync(new W.ListDuplicateCasesRequest());
        foreach (var duplicate in cases.Cases.Where(c => c.ClaimingSchoolCode == second.Code))
        {
            await staffCases.ResolveDuplicateCaseAsync(new W.ResolveDuplicateCaseRequest
            {
                CaseId = duplicate.CaseId,
                Resolution = W.DuplicateResolution.ClaimRejected,
                Note = "已核实",
            });
        }
        var access = await Audit(AuthorityFixture.StaffKey).ListStudentAccessAsync(new W.ListStudentAccessRequest { NationalStudentNumber = "G" + ids[0] });
        errors.Add((await Assert.ThrowsAsync<RpcException>(async () => await Audit(second.Key)
            .ListStudentAccessAsync(new W.ListStudentAccessRequest { NationalStudentNumber = "G" + ids[1] }))).ToString());
        await Audit(AuthorityFixture.StaffKey).VerifyAuditLogAsync(new W.VerifyAuditLogRequest());

        Assert.Contains(feedText, text => text.Contains(ids[0], StringComparison.Ordinal));
        Assert.Contains(access.Entries, e => e.Action == AuditActions.DuplicatesResolve);
        await using var db = Fixture.OpenDb();
        var details = await db.AuditEntries.Select(e => e.Detail + " " + e.Purpose + " " + e.Action).ToListAsync();
        Assert.NotEmpty(Fixture.Logs.Lines);
        foreach (var id in ids)
        {
            Assert.DoesNotContain(Fixture.Logs.Lines, line => line.Contains(id, StringComparison.Ordinal));
            Assert.DoesNotContain(errors, error => error.Contains(id, StringComparison.Ordinal));
            Assert.DoesNotContain(details, detail => detail.Contains(id, StringComparison.Ordinal));
            Assert.DoesNotContain(access.ToString(), id, StringComparison.Ordinal);
        }
        Assert.DoesNotContain(Fixture.Logs.Lines, line => line.Contains(broken.Basic.IdNumber, StringComparison.Ordinal));
    }

    private async Task<int> AuditCountAsync()
    {
        await using var db = Fixture.OpenDb();
        return await db.AuditEntries.CountAsync();
    }

    private async Task ExecuteAsync(IEnumerable<string> statements)
    {
        await using var db = Fixture.OpenDb();
        foreach (var sql in statements)
        {
            await db.Database.ExecuteSqlRawAsync(sql);
        }
    }
}

public sealed class SqliteAuditLogTests(SqliteAuditFixture fixture) : AuditLogTests(fixture), IClassFixture<SqliteAuditFixture>;

public sealed class PostgresAuditLogTests(PostgresAuditFixture fixture) : AuditLogTests(fixture), IClassFixture<PostgresAuditFixture>;
