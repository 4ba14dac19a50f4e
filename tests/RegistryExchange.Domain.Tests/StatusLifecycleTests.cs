using RegistryExchange.Domain.Students;

namespace RegistryExchange.Domain.Tests;

public class StatusLifecycleTests
{
    [Fact]
    public void The_table_covers_7_statuses_by_13_event_kinds_with_16_allowed_moves()
    {
        Assert.Equal(7, TransitionTable.Statuses.Length);
        Assert.Equal(13, TransitionTable.Kinds.Length);
        Assert.Equal(91, TransitionTable.AllPairs().Count);
        Assert.Equal(16, TransitionTable.AllowedPairs().Count);
        Assert.Equal(75, TransitionTable.ForbiddenPairs().Count);
    }

    [Theory]
    [InlineData(StudentStatus.Enrolled, StatusEventKind.Suspend, StudentStatus.Suspended)]
    [InlineData(StudentStatus.Suspended, StatusEventKind.Resume, StudentStatus.Enrolled)]
    [InlineData(StudentStatus.Enrolled, StatusEventKind.Withdraw, StudentStatus.Withdrawn)]
    [InlineData(StudentStatus.Suspended, StatusEventKind.Withdraw, StudentStatus.Withdrawn)]
    [InlineData(StudentStatus.Enrolled, StatusEventKind.Graduate, StudentStatus.Graduated)]
    [InlineData(StudentStatus.Enrolled, StatusEventKind.ChangeMajor, StudentStatus.Enrolled)]
    [InlineData(StudentStatus.Enrolled, StatusEventKind.ChangeStudyMode, StudentStatus.Enrolled)]
    [InlineData(StudentStatus.Enrolled, StatusEventKind.ChangeEducationLevel, StudentStatus.Enrolled)]
    [InlineData(StudentStatus.Enrolled, StatusEventKind.ChangeDegreeType, StudentStatus.Enrolled)]
    [InlineData(StudentStatus.Enrolled, StatusEventKind.Death, StudentStatus.Deceased)]
    [InlineData(StudentStatus.Suspended, StatusEventKind.Death, StudentStatus.Deceased)]
    [InlineData(StudentStatus.Enrolled, StatusEventKind.Cancel, StudentStatus.Cancelled)]
    [InlineData(StudentStatus.Suspended, StatusEventKind.Cancel, StudentStatus.Cancelled)]
    [InlineData(StudentStatus.Withdrawn, StatusEventKind.Cancel, StudentStatus.Cancelled)]
    public void An_allowed_move_leads_to_its_status_whatever_the_history(StudentStatus from, StatusEventKind kind, StudentStatus to)
    {
        foreach (var before in TransitionTable.Statuses)
        {
            Assert.Equal(to, StatusLifecycle.Next(from, kind, before));
        }
    }

    [Theory]
    [InlineData(StudentStatus.Withdrawn, StudentStatus.Enrolled)]
    [InlineData(StudentStatus.Withdrawn, StudentStatus.Suspended)]
    [InlineData(StudentStatus.Cancelled, StudentStatus.Enrolled)]
    [InlineData(StudentStatus.Cancelled, StudentStatus.Suspended)]
    [InlineData(StudentStatus.Cancelled, StudentStatus.Withdrawn)]
    public void Restoration_returns_to_the_status_before_the_termination(StudentStatus from, StudentStatus before)
    {
        Assert.Equal(before, StatusLifecycle.Next(from, StatusEventKind.Restore, before));
    }

    [Theory]
    [InlineData(StudentStatus.Withdrawn, StudentStatus.Unspecified)]
    [InlineData(StudentStatus.Withdrawn, StudentStatus.Withdrawn)]
    [InlineData(StudentStatus.Withdrawn, StudentStatus.Graduated)]
    [InlineData(StudentStatus.Withdrawn, StudentStatus.Deceased)]
    [InlineData(StudentStatus.Withdrawn, StudentStatus.Cancelled)]
    [InlineData(StudentStatus.Cancelled, StudentStatus.Unspecified)]
    [InlineData(StudentStatus.Cancelled, StudentStatus.Cancelled)]
    [InlineData(StudentStatus.Cancelled, StudentStatus.Graduated)]
    [InlineData(StudentStatus.Cancelled, StudentStatus.Deceased)]
    public void Restoration_to_a_status_no_termination_could_have_left_is_refused(StudentStatus from, StudentStatus before)
    {
        Assert.Null(StatusLifecycle.Next(from, StatusEventKind.Restore, before));
    }

    [Theory]
    [MemberData(nameof(TransitionTable.ForbiddenPairs), MemberType = typeof(TransitionTable))]
    public void A_move_outside_the_table_is_forbidden_whatever_the_history(StudentStatus from, StatusEventKind kind)
    {
        foreach (var before in TransitionTable.Statuses)
        {
            Assert.Null(StatusLifecycle.Next(from, kind, before));
        }
    }

    [Theory]
    [MemberData(nameof(TransitionTable.AllPairs), MemberType = typeof(TransitionTable))]
    public void Every_status_and_event_kind_pair_gives_exactly_what_the_table_says(StudentStatus from, StatusEventKind kind)
    {
        foreach (var before in TransitionTable.Statuses)
        {
            Assert.Equal(TransitionTable.Expected(from, kind, before), StatusLifecycle.Next(from, kind, before));
        }
    }

    [Fact]
    public void Nothing_leaves_graduation_or_death()
    {
        foreach (var kind in TransitionTable.Kinds)
        {
            foreach (var before in TransitionTable.Statuses)
            {
                Assert.Null(StatusLifecycle.Next(StudentStatus.Graduated, kind, before));
                Assert.Null(StatusLifecycle.Next(StudentStatus.Deceased, kind, before));
            }
        }
    }

    [Fact]
    public void No_status_accepts_an_enroll_event()
    {
        foreach (var status in TransitionTable.Statuses)
        {
            Assert.Null(StatusLifecycle.Next(status, StatusEventKind.Enroll, StudentStatus.Enrolled));
        }
    }

    [Theory]
    [InlineData(StudentStatus.Enrolled, false)]
    [InlineData(StudentStatus.Suspended, false)]
    [InlineData(StudentStatus.Withdrawn, true)]
    [InlineData(StudentStatus.Graduated, true)]
    [InlineData(StudentStatus.Deceased, true)]
    [InlineData(StudentStatus.Cancelled, true)]
    public void Withdrawal_graduation_death_and_cancellation_end_the_record(StudentStatus status, bool ended)
    {
        Assert.Equal(ended, StatusLifecycle.IsEnded(status));
    }

    // Event fields

    private static IReadOnlyList<Validation.ValidationError> ValidateEvent(StatusEventKind kind, string newValue = "",
        string effectiveDate = "2025-03-01", string reason = "依据学校决定", string reference = "XJ-2025-001") =>
        StatusLifecycle.ValidateEvent(kind, effectiveDate, reason, reference, newValue, Samples.Today);

    [Theory]
    [InlineData(StatusEventKind.Suspend)]
    [InlineData(StatusEventKind.Resume)]
    [InlineData(StatusEventKind.Withdraw)]
    [InlineData(StatusEventKind.Graduate)]
    [InlineData(StatusEventKind.ChangeMajor)]
    [InlineData(StatusEventKind.ChangeStudyMode)]
    [InlineData(StatusEventKind.ChangeEducationLevel)]
    [InlineData(StatusEventKind.ChangeDegreeType)]
    [InlineData(StatusEventKind.Death)]
    [InlineData(StatusEventKind.Cancel)]
    [InlineData(StatusEventKind.Restore)]
    public void A_well_formed_event_has_no_problems(StatusEventKind kind)
    {
        Assert.Empty(ValidateEvent(kind, Samples.NewValueFor(kind)));
    }

    [Fact]
    public void An_enroll_event_is_refused_because_enrollment_happens_only_at_registration()
    {
        var error = Assert.Single(ValidateEvent(StatusEventKind.Enroll));
        Assert.Equal("kind", error.Field);
        Assert.Equal("ENROLL happens only when the student is created", error.Description);
    }

    [Fact]
    public void An_event_without_a_kind_is_refused()
    {
        var error = Assert.Single(ValidateEvent(StatusEventKind.Unspecified));
        Assert.Equal(("kind", "is required"), (error.Field, error.Description));
    }

    [Fact]
    public void An_unknown_event_kind_is_refused_as_not_a_known_value()
    {
        var error = Assert.Single(ValidateEvent((StatusEventKind)99));
        Assert.Equal(("kind", "99 is not a known value"), (error.Field, error.Description));
    }

    [Theory]
    [InlineData("2025-02-29")]
    [InlineData("2025-3-1")]
    [InlineData("")]
    public void An_event_whose_effective_date_is_not_a_real_date_is_refused(string date)
    {
        Assert.Equal("effective_date", Assert.Single(ValidateEvent(StatusEventKind.Suspend, effectiveDate: date)).Field);
    }

    [Fact]
    public void An_event_dated_more_than_a_year_ahead_is_refused_but_a_year_ahead_is_accepted()
    {
        Assert.Empty(ValidateEvent(StatusEventKind.Suspend, effectiveDate: "2027-06-01"));
        var error = Assert.Single(ValidateEvent(StatusEventKind.Suspend, effectiveDate: "2027-06-02"));
        Assert.Equal(("effective_date", "2027-06-02 is more than a year ahead"), (error.Field, error.Description));
    }

    [Fact]
    public void An_event_needs_a_reason_of_at_most_500_characters()
    {
        Assert.Equal(("reason", "is required"), Single(ValidateEvent(StatusEventKind.Suspend, reason: "")));
        Assert.Empty(ValidateEvent(StatusEventKind.Suspend, reason: new string('因', 499) + "𠮷"));
        Assert.Equal("reason", Assert.Single(ValidateEvent(StatusEventKind.Suspend, reason: new string('因', 501))).Field);
        Assert.Equal("reason", Assert.Single(ValidateEvent(StatusEventKind.Suspend, reason: "病假\u202E")).Field);
    }

    [Fact]
    public void An_event_reference_is_optional_and_at_most_100_characters()
    {
        Assert.Empty(ValidateEvent(StatusEventKind.Suspend, reference: ""));
        Assert.Empty(ValidateEvent(StatusEventKind.Suspend, reference: new string('R', 100)));
        Assert.Equal("reference", Assert.Single(ValidateEvent(StatusEventKind.Suspend, reference: new string('R', 101))).Field);
        Assert.Equal("reference", Assert.Single(ValidateEvent(StatusEventKind.Suspend, reference: "R\n1")).Field);
    }

    [Theory]
    [InlineData(StatusEventKind.Suspend)]
    [InlineData(StatusEventKind.Withdraw)]
    [InlineData(StatusEventKind.Restore)]
    public void A_new_value_on_an_event_that_is_not_a_change_is_refused(StatusEventKind kind)
    {
        Assert.Equal(("new_value", "is only used by the CHANGE_* kinds"), Single(ValidateEvent(kind, "PART_TIME")));
    }

    [Theory]
    [InlineData(StatusEventKind.ChangeMajor, "")]
    [InlineData(StatusEventKind.ChangeMajor, "软件\u200B工程")]
    [InlineData(StatusEventKind.ChangeStudyMode, "")]
    [InlineData(StatusEventKind.ChangeStudyMode, "HALF_TIME")]
    [InlineData(StatusEventKind.ChangeStudyMode, "UNSPECIFIED")]
    [InlineData(StatusEventKind.ChangeStudyMode, "STUDY_MODE_UNSPECIFIED")]
    [InlineData(StatusEventKind.ChangeStudyMode, "2")]
    [InlineData(StatusEventKind.ChangeStudyMode, "-1")]
    [InlineData(StatusEventKind.ChangeStudyMode, "+2")]
    [InlineData(StatusEventKind.ChangeStudyMode, " 99")]
    [InlineData(StatusEventKind.ChangeStudyMode, "FULL_TIME,PART_TIME")]
    [InlineData(StatusEventKind.ChangeStudyMode, "全日制")]
    [InlineData(StatusEventKind.ChangeEducationLevel, "PHD")]
    [InlineData(StatusEventKind.ChangeEducationLevel, "PRIMARY, JUNIOR_SECONDARY")]
    [InlineData(StatusEventKind.ChangeEducationLevel, "DEGREE_TYPE_ACADEMIC")]
    [InlineData(StatusEventKind.ChangeDegreeType, "DOCTORATE")]
    [InlineData(StatusEventKind.ChangeDegreeType, "4")]
    public void A_change_with_a_bad_new_value_is_refused(StatusEventKind kind, string newValue)
    {
        Assert.Equal("new_value", Assert.Single(ValidateEvent(kind, newValue)).Field);
    }

    [Theory]
    [InlineData("PART_TIME", StudyMode.PartTime)]
    [InlineData("STUDY_MODE_PART_TIME", StudyMode.PartTime)]
    [InlineData("PartTime", StudyMode.PartTime)]
    [InlineData("part_time", StudyMode.PartTime)]
    [InlineData("FULL_TIME", StudyMode.FullTime)]
    [InlineData("CORRESPONDENCE", StudyMode.Correspondence)]
    [InlineData("SPARE_TIME", StudyMode.SpareTime)]
    [InlineData("ONLINE", StudyMode.Online)]
    public void A_study_mode_is_read_from_its_wire_name_or_its_member_name(string text, StudyMode expected)
    {
        Assert.True(StatusLifecycle.ParseEnumValue<StudyMode>(text, out var value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("JUNIOR_COLLEGE", EducationLevel.JuniorCollege)]
    [InlineData("EDUCATION_LEVEL_DOCTORATE", EducationLevel.Doctorate)]
    [InlineData("Master", EducationLevel.Master)]
    public void An_education_level_is_read_from_its_wire_name_or_its_member_name(string text, EducationLevel expected)
    {
        Assert.True(StatusLifecycle.ParseEnumValue<EducationLevel>(text, out var value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Unspecified")]
    [InlineData("StudyMode")]
    [InlineData("1")]
    [InlineData("-1")]
    [InlineData(" 1")]
    [InlineData("FullTime,PartTime")]
    [InlineData("FullTime, PartTime")]
    [InlineData("Full Time")]
    public void Numbers_combinations_and_unspecified_are_not_study_modes(string text)
    {
        Assert.False(StatusLifecycle.ParseEnumValue<StudyMode>(text, out var value));
        Assert.Equal(StudyMode.Unspecified, value);
    }

    private static (string Field, string Description) Single(IReadOnlyList<Validation.ValidationError> errors)
    {
        var e = Assert.Single(errors);
        return (e.Field, e.Description);
    }
}
