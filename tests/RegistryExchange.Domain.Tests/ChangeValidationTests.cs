using RegistryExchange.Protocol;
using W = RegistryExchange.Contracts.V1;

namespace RegistryExchange.Domain.Tests;

public class ChangeValidationTests
{
    private static W.RecordChange Created(ulong sequence, string localId = "stu-001", Func<W.StudentDetails, W.StudentDetails>? change = null)
    {
        var details = Samples.Details().ToWire();
        return new W.RecordChange
        {
            Sequence = sequence,
            StudentLocalId = localId,
            Created = new W.StudentCreated { Details = change is null ? details : change(details), EffectiveDate = "2024-09-01", Reason = "学籍建立" },
        };
    }

    private static W.RecordChange StatusChanged(ulong sequence, W.StatusEventKind kind, string newValue = "") => new()
    {
        Sequence = sequence,
        StudentLocalId = "stu-001",
        NationalStudentNumber = "G" + Samples.StudentId,
        StatusChanged = new W.StatusChanged { Kind = kind, EffectiveDate = "2025-03-01", Reason = "休学", NewValue = newValue },
    };

    private static IReadOnlyList<Validation.ValidationError> Batch(params W.RecordChange[] changes) =>
        ChangeValidation.ValidateBatch(changes, Samples.Today, maxBatch: 100);

    [Fact]
    public void A_batch_of_well_formed_changes_with_consecutive_sequences_is_valid()
    {
        var updated = new W.RecordChange { Sequence = 9, StudentLocalId = "stu-001", Updated = new W.StudentUpdated { Details = Samples.Details().ToWire() } };
        Assert.Empty(Batch(Created(7), StatusChanged(8, W.StatusEventKind.Suspend), updated, StatusChanged(10, W.StatusEventKind.Resume)));
    }

    [Fact]
    public void A_bad_birth_date_in_the_second_change_is_reported_with_its_full_path()
    {
        var bad = Created(2, "stu-002", d => { d.Basic.BirthDate = "2006-02-30"; return d; });

        var errors = Batch(Created(1), bad, Created(3, "stu-003"));

        var error = Assert.Single(errors);
        Assert.Equal("changes[1].created.details.basic.birth_date", error.Field);
        Assert.Equal("'2006-02-30' is not a real calendar date in YYYY-MM-DD form", error.Description);
    }

    [Fact]
    public void An_id_number_that_contradicts_the_record_is_reported_with_its_full_path()
    {
        var bad = Created(1, change: d => { d.Basic.GenderCode = "2"; return d; });
        Assert.Equal("changes[0].created.details.basic.id_number", Assert.Single(Batch(bad)).Field);
    }

    [Fact]
    public void An_update_problem_is_reported_under_updated_details()
    {
        var details = Samples.Details().ToWire();
        details.Enrollment.EducationLevel = (W.EducationLevel)99;
        var change = new W.RecordChange { Sequence = 1, StudentLocalId = "stu-001", Updated = new W.StudentUpdated { Details = details } };

        var error = Assert.Single(Batch(change));
        Assert.Equal("changes[0].updated.details.enrollment.education_level", error.Field);
        Assert.Equal("99 is not a known value", error.Description);
    }

    [Fact]
    public void A_gap_in_the_sequence_numbers_is_reported_on_the_change_after_the_gap()
    {
        var errors = Batch(Created(5), Created(6, "stu-002"), Created(8, "stu-003"));

        var error = Assert.Single(errors);
        Assert.Equal("changes[2].sequence", error.Field);
        Assert.Equal("is 8; sequence numbers in a batch must be consecutive, expected 7", error.Description);
    }

    [Theory]
    [InlineData(2UL, 1UL)] // backwards
    [InlineData(2UL, 2UL)] // repeated
    [InlineData(2UL, 4UL)] // gap
    public void Sequence_numbers_that_do_not_go_up_by_one_are_reported(ulong first, ulong second)
    {
        var error = Assert.Single(Batch(Created(first), Created(second, "stu-002")));
        Assert.Equal("changes[1].sequence", error.Field);
    }

    [Fact]
    public void A_zero_sequence_number_is_reported()
    {
        var error = Assert.Single(Batch(Created(0)));
        Assert.Equal(("changes[0].sequence", "must be 1 or more"), (error.Field, error.Description));
    }

    [Fact]
    public void An_empty_batch_is_refused()
    {
        var error = Assert.Single(Batch());
        Assert.Equal(("changes", "must contain at least one change"), (error.Field, error.Description));
    }

    [Fact]
    public void A_batch_larger_than_the_limit_is_refused_before_looking_at_the_changes()
    {
        var changes = Enumerable.Range(1, 3).Select(i => Created(0)).ToList();
        var error = Assert.Single(ChangeValidation.ValidateBatch(changes, Samples.Today, maxBatch: 2));
        Assert.Equal(("changes", "has 3 changes; at most 2 are allowed per batch"), (error.Field, error.Description));
    }

    [Fact]
    public void A_change_that_is_neither_created_updated_nor_status_changed_is_refused()
    {
        var error = Assert.Single(Batch(new W.RecordChange { Sequence = 1, StudentLocalId = "stu-001" }));
        Assert.Equal("changes[0].change", error.Field);
    }

    [Fact]
    public void A_created_or_updated_change_without_details_is_refused()
    {
        var errors = Batch(
            new W.RecordChange { Sequence = 1, StudentLocalId = "stu-001", Created = new W.StudentCreated() },
            new W.RecordChange { Sequence = 2, StudentLocalId = "stu-001", Updated = new W.StudentUpdated() });
        Assert.Equal(["changes[0].created.details", "changes[1].updated.details"], errors.Select(e => e.Field));
    }

    [Fact]
    public void A_created_change_with_a_bad_effective_date_is_refused()
    {
        var change = Created(1);
        change.Created.EffectiveDate = "2024-9-1";
        Assert.Equal("changes[0].created.effective_date", Assert.Single(Batch(change)).Field);
    }

    [Fact]
    public void A_status_change_problem_is_reported_under_status_changed()
    {
        var errors = Batch(
            StatusChanged(1, W.StatusEventKind.Enroll),
            StatusChanged(2, W.StatusEventKind.ChangeStudyMode, "HALF_TIME"),
            StatusChanged(3, (W.StatusEventKind)42));
        Assert.Equal(["changes[0].status_changed.kind", "changes[1].status_changed.new_value", "changes[2].status_changed.kind"], errors.Select(e => e.Field));
    }

    [Fact]
    public void A_bad_local_id_is_reported()
    {
        Assert.Equal("changes[0].student_local_id", Assert.Single(Batch(Created(1, "stu 001"))).Field);
    }

    [Theory]
    [InlineData("G11010519491231002X")]
    [InlineData("J11010500000000042")]
    [InlineData("")]
    public void A_well_formed_or_absent_national_number_is_accepted(string number)
    {
        var change = StatusChanged(1, W.StatusEventKind.Suspend);
        change.NationalStudentNumber = number;
        Assert.Empty(Batch(change));
    }

    [Fact]
    public void A_number_the_authority_assigned_to_a_student_without_an_id_is_accepted()
    {
        var change = StatusChanged(1, W.StatusEventKind.Suspend);
        change.NationalStudentNumber = Codes.NationalStudentNumber.Assigned("440306", 12345);
        Assert.Empty(Batch(change));
    }

    [Theory]
    [InlineData("G110105194912310021")]
    [InlineData("11010519491231002X")]
    [InlineData("X11010519491231002X")]
    public void A_malformed_national_number_is_reported(string number)
    {
        var change = StatusChanged(1, W.StatusEventKind.Suspend);
        change.NationalStudentNumber = number;
        Assert.Equal("changes[0].national_student_number", Assert.Single(Batch(change)).Field);
    }

    [Fact]
    public void Problems_in_several_changes_are_all_reported_in_order()
    {
        var errors = Batch(
            Created(1, change: d => { d.Basic.Name = "李\u202E吉"; return d; }),
            Created(3, "stu-002", d => { d.Basic.EthnicityCode = "57"; return d; }));
        Assert.Equal(
            ["changes[0].created.details.basic.name", "changes[1].sequence", "changes[1].created.details.basic.ethnicity_code"],
            errors.Select(e => e.Field));
    }
}
