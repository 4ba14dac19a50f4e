using Grpc.Core;
using RegistryExchange.Authority.Tests.Infrastructure;
using W = RegistryExchange.Contracts.V1;

namespace RegistryExchange.Authority.Tests;

public abstract class DuplicateCaseTests(AuthorityFixture fixture) : AuthorityTestBase(fixture)
{
    private W.DuplicateCaseService.DuplicateCaseServiceClient Cases(string key) => new(Fixture.Channel(key));

    [Fact]
    public async Task A_duplicate_ID_number_across_schools_is_rejected_and_opens_a_case_staff_can_list_and_resolve()
    {
        var first = Fixture.NewSchool();
        var second = Fixture.NewSchool();
        var details = Samples.DetailsWithId();
        var id = details.Basic.IdNumber;
        var original = await PushAsync(first, Samples.Create(1, "orig", details));

        var claim = await PushAsync(second, Samples.Create(1, "claim", details.Clone()));

        var result = Assert.Single(claim.Results);
        Assert.Equal(W.RejectionReason.DuplicateIdNumber, result.RejectionReason);
        Assert.DoesNotContain(id, result.Message, StringComparison.Ordinal);
        Assert.Contains(id[..6] + "********" + id[^4..], result.Message, StringComparison.Ordinal);
        var staff = Cases(AuthorityFixture.StaffKey);
        var open = await staff.ListDuplicateCasesAsync(new W.ListDuplicateCasesRequest());
        var duplicate = Assert.Single(open.Cases, c => c.ClaimingSchoolCode == second.Code);
        Assert.Equal(IdMask(id), duplicate.MaskedIdNumber);
        Assert.Equal("G" + IdMask(id), duplicate.ExistingNationalStudentNumber);
        Assert.Equal(first.Code, duplicate.ExistingSchoolCode);
        Assert.Equal(("claim", 1UL), (duplicate.ClaimingLocalId, duplicate.ClaimingSequence));
        Assert.Equal(W.DuplicateCaseState.Open, duplicate.State);
        Assert.DoesNotContain(id, open.ToString(), StringComparison.Ordinal);

        var resolved = await staff.ResolveDuplicateCaseAsync(new W.ResolveDuplicateCaseRequest
        {
            CaseId = duplicate.CaseId,
            Resolution = W.DuplicateResolution.ReferredToTransfer,
            Note = "同一学生转学，请走转学流程",
        });

        Assert.Equal(W.DuplicateCaseState.Resolved, resolved.DuplicateCase.State);
        Assert.Equal(W.DuplicateResolution.ReferredToTransfer, resolved.DuplicateCase.Resolution);
        Assert.NotNull(resolved.DuplicateCase.ResolvedAt);
        var stillOpen = await staff.ListDuplicateCasesAsync(new W.ListDuplicateCasesRequest());
        Assert.DoesNotContain(stillOpen.Cases, c => c.CaseId == duplicate.CaseId);
        var all = await staff.ListDuplicateCasesAsync(new W.ListDuplicateCasesRequest { IncludeResolved = true });
        Assert.Contains(all.Cases, c => c.CaseId == duplicate.CaseId && c.State == W.DuplicateCaseState.Resolved);
        await Rpc.FailsAsync(StatusCode.FailedPrecondition, async () => await staff.ResolveDuplicateCaseAsync(
            new W.ResolveDuplicateCaseRequest { CaseId = duplicate.CaseId, Resolution = W.DuplicateResolution.ClaimRejected }));
        // The original record stays as it was: never merged.
        await using var db = Fixture.OpenDb();
        var stored = db.Students.Single(s => s.IdNumber == id);
        Assert.Equal((first.Code, "orig", original.Results[0].NationalStudentNumber), (stored.OwnerSchoolCode, stored.LocalId, stored.NationalStudentNumber));
    }

    [Fact]
    public async Task Resolving_needs_a_resolution_and_an_existing_case()
    {
        var staff = Cases(AuthorityFixture.StaffKey);

        var invalid = await Rpc.FailsAsync(StatusCode.InvalidArgument, async () => await staff.ResolveDuplicateCaseAsync(new W.ResolveDuplicateCaseRequest { CaseId = 1 }));
        await Rpc.FailsAsync(StatusCode.NotFound, async () => await staff.ResolveDuplicateCaseAsync(
            new W.ResolveDuplicateCaseRequest { CaseId = 999_999, Resolution = W.DuplicateResolution.ClaimRejected }));

        Assert.Contains("resolution", invalid.FieldViolations().Select(v => v.Field));
    }

    [Fact]
    public async Task Only_staff_may_use_the_duplicate_case_service()
    {
        var school = Fixture.NewSchool();

        await Rpc.FailsAsync(StatusCode.PermissionDenied, async () => await Cases(school.Key).ListDuplicateCasesAsync(new W.ListDuplicateCasesRequest()));
        await Rpc.FailsAsync(StatusCode.PermissionDenied, async () => await Cases(school.Key).ResolveDuplicateCaseAsync(
            new W.ResolveDuplicateCaseRequest { CaseId = 1, Resolution = W.DuplicateResolution.ClaimRejected }));
        await Rpc.FailsAsync(StatusCode.PermissionDenied, async () => await Cases(AuthorityFixture.FeedKey).ListDuplicateCasesAsync(new W.ListDuplicateCasesRequest()));
    }

    private static string IdMask(string id) => Domain.Codes.IdNumber.Mask(id);
}

[Trait("Database", "SQLite")]
public sealed class SqliteDuplicateCaseTests(SqliteFixture fixture) : DuplicateCaseTests(fixture), IClassFixture<SqliteFixture>;

[Trait("Database", "PostgreSQL")]
public sealed class PostgresDuplicateCaseTests(PostgresFixture fixture) : DuplicateCaseTests(fixture), IClassFixture<PostgresFixture>;
