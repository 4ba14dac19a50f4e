using CsCheck;
using RegistryExchange.Domain.Students;
using RegistryExchange.Domain.Validation;

namespace RegistryExchange.Domain.Tests;

public class StudentTests
{
    // Registration

    [Fact]
    public void Registering_a_student_records_the_enroll_event_at_version_1()
    {
        var student = Student.Register("stu-001", "1111010001", Samples.Details(), Samples.Today);

        Assert.Equal(StudentStatus.Enrolled, student.Status);
        Assert.Equal(1, student.Version);
        Assert.Equal("stu-001", student.LocalId);
        Assert.Equal("1111010001", student.SchoolCode);
        Assert.Equal("", student.NationalStudentNumber);
        Assert.False(student.IsEnded);
        var enrol = Assert.Single(student.History);
        Assert.Equal(StatusEventKind.Enroll, enrol.Kind);
        Assert.Equal(StudentStatus.Unspecified, enrol.StatusBefore);
        Assert.Equal(StudentStatus.Enrolled, enrol.StatusAfter);
        Assert.Equal("2024-09-01", enrol.EffectiveDate); // the enrollment date when none is given
        Assert.Equal("学籍建立", enrol.Reason);
        Assert.Equal("", enrol.NewValue);
    }

    [Fact]
    public void Registering_with_an_effective_date_reason_and_reference_keeps_them()
    {
        var student = Student.Register("stu-001", "1111010001", Samples.Details(), Samples.Today, "2024-09-03", "补录", "JY-2024-17");
        var enrol = Assert.Single(student.History);
        Assert.Equal(("2024-09-03", "补录", "JY-2024-17"), (enrol.EffectiveDate, enrol.Reason, enrol.Reference));
    }

    [Fact]
    public void Registering_invalid_details_is_refused_with_every_broken_rule()
    {
        var details = Samples.WithBasic(b => b with { BirthDate = "2006-03-16", EthnicityCode = "99" });
        var ex = Assert.Throws<DomainValidationException>(() => Student.Register("stu-001", "1111010001", details, Samples.Today));
        Assert.Equal(["basic.ethnicity_code", "basic.id_number"], ex.Errors.Select(e => e.Field).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("")]
    [InlineData("学生1")]
    [InlineData("stu 001")]
    [InlineData("stu/001")]
    public void Registering_with_a_bad_local_id_is_refused(string localId)
    {
        var ex = Assert.Throws<DomainValidationException>(() => Student.Register(localId, "1111010001", Samples.Details(), Samples.Today));
        Assert.Equal("local_id", Assert.Single(ex.Errors).Field);
    }

    [Fact]
    public void A_local_id_may_be_64_characters_but_not_65()
    {
        Assert.Null(Student.CheckLocalId(new string('a', 64)));
        Assert.Equal("must be 1 to 64 characters", Student.CheckLocalId(new string('a', 65)));
        Assert.Null(Student.CheckLocalId("A-z_0.9"));
    }

    [Fact]
    public void Registering_with_a_bad_effective_date_is_refused()
    {
        var ex = Assert.Throws<DomainValidationException>(() => Student.Register("stu-001", "1111010001", Samples.Details(), Samples.Today, "2024-02-30"));
        Assert.Equal("effective_date", Assert.Single(ex.Errors).Field);
    }

    [Fact]
    public void The_national_number_is_assigned_once_and_never_changes()
    {
        var student = Samples.NewStudent();
        student.AssignNationalNumber("G" + Samples.StudentId);
        student.AssignNationalNumber("G" + Samples.StudentId);
        Assert.Equal("G" + Samples.StudentId, student.NationalStudentNumber);
        Assert.Throws<InvalidOperationException>(() => student.AssignNationalNumber("G" + Samples.PublishedId));
        Assert.Equal("G" + Samples.StudentId, student.NationalStudentNumber);
    }

    [Fact]
    public void Updating_details_replaces_them_and_raises_the_version()
    {
        var student = Samples.NewStudent();
        var updated = Samples.WithBasic(b => b with { Phone = "13911112222" });
        student.Update(updated, Samples.Today);
        Assert.Same(updated, student.Details);
        Assert.Equal(2, student.Version);
        Assert.Single(student.History);
    }

    [Fact]
    public void Updating_with_invalid_details_leaves_the_record_unchanged()
    {
        var student = Samples.NewStudent();
        var before = student.Details;
        Assert.Throws<DomainValidationException>(() => student.Update(Samples.WithBasic(b => b with { GenderCode = "2" }), Samples.Today));
        Assert.Same(before, student.Details);
        Assert.Equal(1, student.Version);
    }

    // Every status x event kind through the aggregate

    [Theory]
    [MemberData(nameof(TransitionTable.AllowedPairs), MemberType = typeof(TransitionTable))]
    public void An_allowed_event_moves_the_student_and_is_appended_to_the_history(StudentStatus from, StatusEventKind kind)
    {
        var student = Samples.StudentIn(from);
        var version = student.Version;
        var history = student.History.ToList();

        var e = student.Apply(kind);

        var expected = TransitionTable.Expected(from, kind, StudentStatus.Enrolled);
        Assert.Equal(expected, student.Status);
        Assert.Equal(version + 1, student.Version);
        Assert.Equal([.. history, e], student.History);
        Assert.Equal((kind, from, expected!.Value), (e.Kind, e.StatusBefore, e.StatusAfter));
        Assert.Equal(("2025-03-01", "依据学校决定", "XJ-2025-001", Samples.NewValueFor(kind)), (e.EffectiveDate, e.Reason, e.Reference, e.NewValue));
    }

    [Theory]
    [MemberData(nameof(TransitionTable.ForbiddenPairs), MemberType = typeof(TransitionTable))]
    public void A_forbidden_event_is_refused_and_leaves_the_record_unchanged(StudentStatus from, StatusEventKind kind)
    {
        var student = Samples.StudentIn(from);
        var status = student.Status;
        var version = student.Version;
        var details = student.Details;
        var history = student.History.ToList();

        if (kind is StatusEventKind.Enroll or StatusEventKind.Unspecified)
        {
            // Refused before the transition is looked at: such an event is malformed in any status.
            var invalid = Assert.Throws<DomainValidationException>(() => student.Apply(kind));
            Assert.Equal("kind", Assert.Single(invalid.Errors).Field);
        }
        else
        {
            var ex = Assert.Throws<IllegalTransitionException>(() => student.Apply(kind));
            Assert.Equal(from, ex.From);
            Assert.Equal(kind, ex.Kind);
            Assert.Equal($"{kind} is not allowed for a student whose status is {from}", ex.Message);
        }

        Assert.Equal(status, student.Status);
        Assert.Equal(version, student.Version);
        Assert.Same(details, student.Details);
        Assert.Equal(history, student.History);
    }

    [Theory]
    [MemberData(nameof(TransitionTable.AllPairs), MemberType = typeof(TransitionTable))]
    public void Every_status_and_event_kind_pair_behaves_on_the_record_as_the_table_says(StudentStatus from, StatusEventKind kind)
    {
        var student = Samples.StudentIn(from);
        var expected = TransitionTable.Expected(from, kind, StudentStatus.Enrolled);
        var refused = Record.Exception(() => student.Apply(kind));

        if (expected is null)
        {
            Assert.True(refused is IllegalTransitionException or DomainValidationException, $"{from} + {kind} was not refused");
            Assert.Equal(from, student.Status);
        }
        else
        {
            Assert.Null(refused);
            Assert.Equal(expected, student.Status);
        }
    }

    [Fact]
    public void An_event_with_bad_fields_is_refused_before_the_transition_and_leaves_the_record_unchanged()
    {
        var student = Samples.StudentIn(StudentStatus.Graduated);
        var ex = Assert.Throws<DomainValidationException>(() =>
            student.ApplyStatusEvent(StatusEventKind.Resume, "2025-02-30", "", "", "", Samples.Today));
        Assert.Equal(["effective_date", "reason"], ex.Errors.Select(e => e.Field));
        Assert.Equal(StudentStatus.Graduated, student.Status);
        Assert.Equal(2, student.Version);
    }

    // Restoration

    [Theory]
    [InlineData(new[] { StatusEventKind.Withdraw }, StudentStatus.Enrolled)]
    [InlineData(new[] { StatusEventKind.Suspend, StatusEventKind.Withdraw }, StudentStatus.Suspended)]
    [InlineData(new[] { StatusEventKind.Cancel }, StudentStatus.Enrolled)]
    [InlineData(new[] { StatusEventKind.Suspend, StatusEventKind.Cancel }, StudentStatus.Suspended)]
    [InlineData(new[] { StatusEventKind.Withdraw, StatusEventKind.Cancel }, StudentStatus.Withdrawn)]
    [InlineData(new[] { StatusEventKind.Suspend, StatusEventKind.Withdraw, StatusEventKind.Cancel }, StudentStatus.Withdrawn)]
    [InlineData(new[] { StatusEventKind.Withdraw, StatusEventKind.Restore, StatusEventKind.Suspend, StatusEventKind.Withdraw }, StudentStatus.Suspended)]
    [InlineData(new[] { StatusEventKind.Suspend, StatusEventKind.Withdraw, StatusEventKind.Restore, StatusEventKind.Resume, StatusEventKind.Withdraw }, StudentStatus.Enrolled)]
    [InlineData(new[] { StatusEventKind.Withdraw, StatusEventKind.Cancel, StatusEventKind.Restore, StatusEventKind.Cancel }, StudentStatus.Withdrawn)]
    public void Restoration_returns_to_the_status_before_the_last_termination(StatusEventKind[] path, StudentStatus expected)
    {
        var student = Samples.NewStudent();
        foreach (var kind in path)
        {
            student.Apply(kind);
        }

        var e = student.Apply(StatusEventKind.Restore);

        Assert.Equal(expected, student.Status);
        Assert.Equal(expected, e.StatusAfter);
    }

    [Theory]
    [InlineData(StudentStatus.Enrolled)]
    [InlineData(StudentStatus.Suspended)]
    public void A_withdrawal_restored_from_cancellation_can_itself_be_restored_to_the_status_before_the_withdrawal(StudentStatus beforeWithdrawal)
    {
        var student = Samples.StudentIn(beforeWithdrawal);
        student.Apply(StatusEventKind.Withdraw);
        student.Apply(StatusEventKind.Cancel);
        student.Apply(StatusEventKind.Restore);
        Assert.Equal(StudentStatus.Withdrawn, student.Status);

        student.Apply(StatusEventKind.Restore);

        Assert.Equal(beforeWithdrawal, student.Status);
        Assert.Equal(
            [StudentStatus.Withdrawn, StudentStatus.Cancelled, StudentStatus.Withdrawn, beforeWithdrawal],
            student.History.TakeLast(4).Select(h => h.StatusAfter));
    }

    [Fact]
    public void A_stored_withdrawn_record_without_its_withdrawal_in_the_history_cannot_be_restored()
    {
        var student = Student.Restore("stu-001", "1111010001", "", StudentStatus.Withdrawn, Samples.Details(), [], 7);
        Assert.Throws<IllegalTransitionException>(() => student.Apply(StatusEventKind.Restore));
        Assert.Equal(7, student.Version);
    }

    [Fact]
    public void A_restored_record_keeps_what_was_stored_without_rerunning_rules()
    {
        var history = new[] { new StatusEvent { Kind = StatusEventKind.Enroll, StatusAfter = StudentStatus.Enrolled } };
        var details = new StudentDetails();
        var student = Student.Restore("stu-9", "S1", "G" + Samples.PublishedId, StudentStatus.Suspended, details, history, 42);
        Assert.Equal(("stu-9", "S1", "G" + Samples.PublishedId, StudentStatus.Suspended, 42L), (student.LocalId, student.SchoolCode, student.NationalStudentNumber, student.Status, student.Version));
        Assert.Same(details, student.Details);
        Assert.Equal(history, student.History);
    }

    // Change events

    [Fact]
    public void A_change_of_major_updates_the_major_only()
    {
        var student = Samples.NewStudent();
        var before = student.Details;
        student.ApplyStatusEvent(StatusEventKind.ChangeMajor, "2025-03-01", "转专业", "", "软件工程", Samples.Today);
        Assert.Equal(before.Enrollment with { Major = "软件工程" }, student.Details.Enrollment);
        Assert.Same(before.Basic, student.Details.Basic);
    }

    [Theory]
    [InlineData("PART_TIME", StudyMode.PartTime)]
    [InlineData("STUDY_MODE_CORRESPONDENCE", StudyMode.Correspondence)]
    [InlineData("Online", StudyMode.Online)]
    public void A_change_of_study_mode_updates_the_study_mode(string newValue, StudyMode expected)
    {
        var student = Samples.NewStudent();
        var e = student.ApplyStatusEvent(StatusEventKind.ChangeStudyMode, "2025-03-01", "转为非全日制", "", newValue, Samples.Today);
        Assert.Equal(expected, student.Details.Enrollment.StudyMode);
        Assert.Equal(newValue, e.NewValue);
        Assert.Equal(StudentStatus.Enrolled, student.Status);
    }

    [Fact]
    public void A_change_of_education_level_updates_the_education_level()
    {
        var student = Samples.NewStudent();
        student.ApplyStatusEvent(StatusEventKind.ChangeEducationLevel, "2025-03-01", "专升本", "", "EDUCATION_LEVEL_MASTER", Samples.Today);
        Assert.Equal(EducationLevel.Master, student.Details.Enrollment.EducationLevel);
    }

    [Fact]
    public void A_change_of_degree_type_updates_the_degree_type()
    {
        var student = Samples.NewStudent();
        student.ApplyStatusEvent(StatusEventKind.ChangeDegreeType, "2025-03-01", "转为专业学位", "", "PROFESSIONAL", Samples.Today);
        Assert.Equal(DegreeType.Professional, student.Details.Enrollment.DegreeType);
    }

    [Theory]
    [InlineData(StatusEventKind.ChangeMajor, "")]
    [InlineData(StatusEventKind.ChangeStudyMode, "HALF_TIME")]
    [InlineData(StatusEventKind.ChangeStudyMode, "2")]
    [InlineData(StatusEventKind.ChangeStudyMode, "-1")]
    [InlineData(StatusEventKind.ChangeStudyMode, "FULL_TIME,PART_TIME")]
    [InlineData(StatusEventKind.ChangeEducationLevel, "UNSPECIFIED")]
    [InlineData(StatusEventKind.ChangeDegreeType, "MASTER")]
    public void A_change_with_a_bad_new_value_is_refused_and_leaves_the_record_unchanged(StatusEventKind kind, string newValue)
    {
        var student = Samples.NewStudent();
        var details = student.Details;
        var ex = Assert.Throws<DomainValidationException>(() => student.ApplyStatusEvent(kind, "2025-03-01", "变更", "", newValue, Samples.Today));
        Assert.Equal("new_value", Assert.Single(ex.Errors).Field);
        Assert.Same(details, student.Details);
        Assert.Equal(1, student.Version);
        Assert.Single(student.History);
    }

    [Fact]
    public void A_change_while_suspended_is_refused_and_the_enrollment_is_untouched()
    {
        var student = Samples.StudentIn(StudentStatus.Suspended);
        Assert.Throws<IllegalTransitionException>(() =>
            student.ApplyStatusEvent(StatusEventKind.ChangeStudyMode, "2025-03-01", "变更", "", "PART_TIME", Samples.Today));
        Assert.Equal(StudyMode.FullTime, student.Details.Enrollment.StudyMode);
    }

    // History

    [Fact]
    public void The_history_keeps_every_event_in_the_order_applied_and_the_version_counts_them()
    {
        var student = Samples.NewStudent();
        var path = new[]
        {
            StatusEventKind.ChangeMajor, StatusEventKind.Suspend, StatusEventKind.Resume, StatusEventKind.ChangeStudyMode,
            StatusEventKind.Withdraw, StatusEventKind.Restore, StatusEventKind.Graduate,
        };
        foreach (var kind in path)
        {
            student.Apply(kind);
        }

        Assert.Equal([StatusEventKind.Enroll, .. path], student.History.Select(h => h.Kind));
        Assert.Equal(
            [StudentStatus.Enrolled, StudentStatus.Enrolled, StudentStatus.Suspended, StudentStatus.Enrolled, StudentStatus.Enrolled,
             StudentStatus.Withdrawn, StudentStatus.Enrolled, StudentStatus.Graduated],
            student.History.Select(h => h.StatusAfter));
        for (var i = 1; i < student.History.Count; i++)
        {
            Assert.Equal(student.History[i - 1].StatusAfter, student.History[i].StatusBefore);
        }
        Assert.Equal(1 + path.Length, student.Version);
        Assert.True(student.IsEnded);
    }

    [Fact]
    public void Any_sequence_of_events_follows_the_table_and_restoration_returns_to_before_the_termination()
    {
        var kinds = TransitionTable.Kinds.Where(k => k is not StatusEventKind.Unspecified and not StatusEventKind.Enroll).ToArray();
        Gen.OneOf(kinds).Array[0, 40].Sample(path =>
        {
            var student = Samples.NewStudent();
            var model = new LifecycleModel(StudentStatus.Enrolled, StudentStatus.Unspecified, StudentStatus.Unspecified);
            var applied = 0;
            foreach (var kind in path)
            {
                var next = model.Apply(kind);
                var refused = Record.Exception(() => student.Apply(kind));
                if (next is null)
                {
                    Assert.IsType<IllegalTransitionException>(refused);
                }
                else
                {
                    Assert.Null(refused);
                    model = next;
                    applied++;
                }
                Assert.Equal(model.Status, student.Status);
            }
            Assert.Equal(1 + applied, student.Version);
            Assert.Equal(1 + applied, student.History.Count);
        }, iter: 3000);
    }

    /// <summary>The lifecycle written another way: the model remembers what each termination interrupted.</summary>
    private sealed record LifecycleModel(StudentStatus Status, StudentStatus BeforeWithdrawal, StudentStatus BeforeCancellation)
    {
        public LifecycleModel? Apply(StatusEventKind kind) => (Status, kind) switch
        {
            (StudentStatus.Enrolled or StudentStatus.Suspended, StatusEventKind.Withdraw) => this with { Status = StudentStatus.Withdrawn, BeforeWithdrawal = Status },
            (StudentStatus.Enrolled or StudentStatus.Suspended or StudentStatus.Withdrawn, StatusEventKind.Cancel) => this with { Status = StudentStatus.Cancelled, BeforeCancellation = Status },
            (StudentStatus.Withdrawn, StatusEventKind.Restore) => this with { Status = BeforeWithdrawal },
            (StudentStatus.Cancelled, StatusEventKind.Restore) => this with { Status = BeforeCancellation },
            _ => TransitionTable.Fixed.TryGetValue((Status, kind), out var to) ? this with { Status = to } : null,
        };
    }
}
