using RegistryExchange.Domain.Students;
using RegistryExchange.Domain.Validation;

namespace RegistryExchange.Domain.Tests;

public class StudentDetailsValidatorTests
{
    private static IReadOnlyList<ValidationError> Validate(StudentDetails details) =>
        StudentDetailsValidator.Validate(details, Samples.Today);

    private static ValidationError SingleError(StudentDetails details, string field)
    {
        var errors = Validate(details);
        var error = Assert.Single(errors);
        Assert.Equal(field, error.Field);
        return error;
    }

    [Fact]
    public void The_complete_sample_record_is_valid()
    {
        Assert.Empty(Validate(Samples.Details()));
    }

    [Fact]
    public void A_record_with_only_the_required_fields_is_valid()
    {
        var minimal = new StudentDetails
        {
            Basic = new BasicInfo { Name = "王五", GenderCode = "9", EthnicityCode = "97", BirthDate = "2015-01-01" },
            Enrollment = new Enrollment
            {
                EnrollmentDate = "2021-09-01", EducationLevel = EducationLevel.Primary,
                DegreeType = DegreeType.None, StudyMode = StudyMode.FullTime,
            },
        };
        Assert.Empty(Validate(minimal));
    }

    [Fact]
    public void A_record_with_the_published_id_and_its_birth_date_and_gender_is_valid()
    {
        Assert.Empty(Validate(Samples.WithBasic(b => b with { IdNumber = Samples.PublishedId, BirthDate = "1949-12-31", GenderCode = "2" })));
    }

    [Fact]
    public void A_record_without_an_id_number_is_valid()
    {
        Assert.Empty(Validate(Samples.WithBasic(b => b with { IdNumber = "" })));
    }

    [Fact]
    public void A_birth_date_that_differs_from_the_one_in_the_id_number_is_caught_on_the_id_number()
    {
        var error = SingleError(Samples.WithBasic(b => b with { BirthDate = "2006-03-16" }), "basic.id_number");
        Assert.Equal("the birth date in the ID number (2006-03-15) differs from birth_date (2006-03-16)", error.Description);
    }

    [Fact]
    public void A_male_gender_with_an_even_sequence_digit_is_caught_on_the_id_number()
    {
        var error = SingleError(
            Samples.WithBasic(b => b with { IdNumber = Samples.PublishedId, BirthDate = "1949-12-31", GenderCode = "1" }),
            "basic.id_number");
        Assert.Equal("the ID number's sequence digit says female but gender_code is 1", error.Description);
    }

    [Fact]
    public void A_female_gender_with_an_odd_sequence_digit_is_caught_on_the_id_number()
    {
        var error = SingleError(Samples.WithBasic(b => b with { GenderCode = "2" }), "basic.id_number");
        Assert.Equal("the ID number's sequence digit says male but gender_code is 2", error.Description);
    }

    [Fact]
    public void Both_a_birth_date_and_a_gender_mismatch_are_reported()
    {
        var errors = Validate(Samples.WithBasic(b => b with { BirthDate = "2006-03-16", GenderCode = "2" }));
        Assert.Equal(2, errors.Count);
        Assert.All(errors, e => Assert.Equal("basic.id_number", e.Field));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("9")]
    public void An_unknown_or_unspecified_gender_does_not_contradict_any_id_number(string gender)
    {
        Assert.Empty(Validate(Samples.WithBasic(b => b with { GenderCode = gender })));
        Assert.Empty(Validate(Samples.WithBasic(b => b with { GenderCode = gender, IdNumber = Samples.PublishedId, BirthDate = "1949-12-31" })));
    }

    [Theory]
    [InlineData("11010519491231002x")]
    [InlineData("110105194912310021")]
    [InlineData("1101051949123100")]
    [InlineData("99010519491231002X")]
    public void An_invalid_id_number_is_reported_on_the_id_number_only(string idNumber)
    {
        var error = SingleError(Samples.WithBasic(b => b with { IdNumber = idNumber }), "basic.id_number");
        Assert.StartsWith("ID number ", error.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unparseable_birth_date_is_reported_without_a_second_complaint_about_the_id_number()
    {
        var error = SingleError(Samples.WithBasic(b => b with { BirthDate = "2006-02-30" }), "basic.birth_date");
        Assert.Equal("'2006-02-30' is not a real calendar date in YYYY-MM-DD form", error.Description);
    }

    [Theory]
    [InlineData("2026-06-02")] // tomorrow
    [InlineData("1899-12-31")]
    public void An_implausible_birth_date_is_refused(string birthDate)
    {
        var errors = Validate(Samples.WithBasic(b => b with { BirthDate = birthDate, IdNumber = "" }));
        Assert.Contains(errors, e => e.Field == "basic.birth_date" && e.Description == $"{birthDate} is not a plausible birth date");
    }

    [Fact]
    public void A_birth_date_of_today_is_accepted()
    {
        Assert.Empty(Validate(Samples.Details() with
        {
            Basic = Samples.Details().Basic with { BirthDate = "2026-06-01", IdNumber = "" },
            Enrollment = Samples.Details().Enrollment with { EnrollmentDate = "2026-06-01" },
        }));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1")]
    [InlineData("2")]
    [InlineData("9")]
    public void Gender_codes_0_1_2_and_9_are_accepted_in_a_record(string gender)
    {
        Assert.DoesNotContain(Validate(Samples.WithBasic(b => b with { GenderCode = gender, IdNumber = "" })), e => e.Field == "basic.gender_code");
    }

    [Theory]
    [InlineData("")]
    [InlineData("3")]
    [InlineData("M")]
    [InlineData("男")]
    public void Any_other_gender_code_is_refused_in_a_record(string gender)
    {
        var error = SingleError(Samples.WithBasic(b => b with { GenderCode = gender, IdNumber = "" }), "basic.gender_code");
        Assert.Equal($"'{gender}' is not a GB/T 2261.1 code (0, 1, 2 or 9)", error.Description);
    }

    [Theory]
    [InlineData("00")]
    [InlineData("57")]
    [InlineData("99")]
    [InlineData("1")]
    [InlineData("")]
    public void An_ethnicity_code_outside_gbt_3304_is_refused_in_a_record(string code)
    {
        var error = SingleError(Samples.WithBasic(b => b with { EthnicityCode = code }), "basic.ethnicity_code");
        Assert.Equal($"'{code}' is not a GB/T 3304 code (01-56, 97, 98)", error.Description);
    }

    [Theory]
    [InlineData("56")]
    [InlineData("97")]
    [InlineData("98")]
    public void The_last_ethnic_group_and_the_codes_97_and_98_are_accepted_in_a_record(string code)
    {
        Assert.Empty(Validate(Samples.WithBasic(b => b with { EthnicityCode = code })));
    }

    [Theory]
    [InlineData("990000")]
    [InlineData("11010")]
    [InlineData("北京")]
    public void A_bad_region_code_is_refused_on_its_own_field(string code)
    {
        var errors = Validate(Samples.WithBasic(b => b with { NativePlaceRegionCode = code, HouseholdRegionCode = code }));
        Assert.Equal(["basic.native_place_region_code", "basic.household_region_code"], errors.Select(e => e.Field));
    }

    [Fact]
    public void Empty_region_codes_are_accepted()
    {
        Assert.Empty(Validate(Samples.WithBasic(b => b with { NativePlaceRegionCode = "", HouseholdRegionCode = "" })));
    }

    [Theory]
    [InlineData("chn")]
    [InlineData("CN")]
    [InlineData("CHNA")]
    [InlineData("中国")]
    public void A_nationality_that_is_not_an_iso_alpha_3_code_is_refused(string nationality)
    {
        SingleError(Samples.WithBasic(b => b with { Nationality = nationality }), "basic.nationality");
    }

    [Fact]
    public void A_name_with_characters_outside_the_bmp_is_accepted_in_a_record()
    {
        Assert.Empty(Validate(Samples.WithBasic(b => b with { Name = "吉𠮷䶮", FormerName = "䶮" })));
    }

    [Fact]
    public void A_missing_name_is_refused()
    {
        Assert.Equal("is required", SingleError(Samples.WithBasic(b => b with { Name = "" }), "basic.name").Description);
    }

    [Theory]
    [InlineData("李\u202E吉")]
    [InlineData("李\u200B吉")]
    [InlineData("李\u2066吉\u2069")]
    [InlineData("李\n吉")]
    [InlineData("李\u2028吉")]
    [InlineData("李\u2029吉")]
    public void A_name_with_invisible_or_control_characters_is_refused(string name)
    {
        SingleError(Samples.WithBasic(b => b with { Name = name }), "basic.name");
        SingleError(Samples.WithBasic(b => b with { FormerName = name }), "basic.former_name");
    }

    [Fact]
    public void A_name_with_an_unpaired_surrogate_is_refused()
    {
        var error = SingleError(Samples.WithBasic(b => b with { Name = "李" + "𠮷"[0] }), "basic.name");
        Assert.Equal("has an unpaired surrogate at position 2", error.Description);
    }

    [Fact]
    public void The_household_address_is_limited_to_200_characters_counted_as_characters()
    {
        var max = string.Concat(Enumerable.Repeat("𠮷", 200));
        Assert.Empty(Validate(Samples.WithBasic(b => b with { HouseholdAddress = max })));
        SingleError(Samples.WithBasic(b => b with { HouseholdAddress = max + "号" }), "basic.household_address");
    }

    [Fact]
    public void Guardian_problems_are_reported_with_their_position()
    {
        var errors = Validate(Samples.WithBasic(b => b with
        {
            Guardians =
            [
                new Guardian { Name = "王芳", Relation = "母亲" },
                new Guardian { Name = "", Relation = new string('父', 21), Phone = "abc" },
            ],
        }));
        Assert.Equal(["basic.guardians[1].name", "basic.guardians[1].relation", "basic.guardians[1].phone"], errors.Select(e => e.Field));
    }

    [Fact]
    public void At_most_ten_guardians_are_allowed()
    {
        var guardian = new Guardian { Name = "王芳", Relation = "亲属" };
        Assert.Empty(Validate(Samples.WithBasic(b => b with { Guardians = [.. Enumerable.Repeat(guardian, 10)] })));
        SingleError(Samples.WithBasic(b => b with { Guardians = [.. Enumerable.Repeat(guardian, 11)] }), "basic.guardians");
    }

    [Fact]
    public void An_unknown_education_level_is_refused_as_not_a_known_value()
    {
        var error = SingleError(Samples.WithEnrollment(e => e with { EducationLevel = (EducationLevel)99 }), "enrollment.education_level");
        Assert.Equal("99 is not a known value", error.Description);
    }

    [Fact]
    public void An_unknown_degree_type_is_refused_as_not_a_known_value()
    {
        var error = SingleError(Samples.WithEnrollment(e => e with { DegreeType = (DegreeType)4 }), "enrollment.degree_type");
        Assert.Equal("4 is not a known value", error.Description);
    }

    [Fact]
    public void An_unknown_study_mode_is_refused_as_not_a_known_value()
    {
        var error = SingleError(Samples.WithEnrollment(e => e with { StudyMode = (StudyMode)(-1) }), "enrollment.study_mode");
        Assert.Equal("-1 is not a known value", error.Description);
    }

    [Fact]
    public void An_unknown_award_kind_is_refused_as_not_a_known_value()
    {
        var d = Samples.Details();
        var error = SingleError(d with { AwardsAndDiscipline = [d.AwardsAndDiscipline[0] with { Kind = (AwardKind)7 }] }, "awards_and_discipline[0].kind");
        Assert.Equal("7 is not a known value", error.Description);
    }

    [Fact]
    public void Unspecified_enrollment_enums_are_required()
    {
        var errors = Validate(Samples.WithEnrollment(e => e with
        {
            EducationLevel = EducationLevel.Unspecified, DegreeType = DegreeType.Unspecified, StudyMode = StudyMode.Unspecified,
        }));
        Assert.Equal(["enrollment.education_level", "enrollment.degree_type", "enrollment.study_mode"], errors.Select(e => e.Field));
        Assert.All(errors, e => Assert.Equal("is required", e.Description));
    }

    [Theory]
    [InlineData("2024-02-30")]
    [InlineData("2024-9-1")]
    [InlineData("")]
    public void An_enrollment_date_that_is_not_a_real_date_is_refused(string date)
    {
        SingleError(Samples.WithEnrollment(e => e with { EnrollmentDate = date }), "enrollment.enrollment_date");
    }

    [Fact]
    public void An_enrollment_before_the_birth_date_is_refused()
    {
        var error = SingleError(Samples.WithEnrollment(e => e with { EnrollmentDate = "2006-03-14" }), "enrollment.enrollment_date");
        Assert.Equal("is before the birth date", error.Description);
    }

    [Fact]
    public void Enrollment_text_fields_are_limited_at_their_maximum()
    {
        Assert.Empty(Validate(Samples.WithEnrollment(e => e with { Major = new string('专', 100), ClassName = new string('班', 50), Grade = new string('9', 20), StudentNumber = new string('S', 32) })));
        var errors = Validate(Samples.WithEnrollment(e => e with { Major = new string('专', 101), ClassName = new string('班', 51), Grade = new string('9', 21), StudentNumber = new string('S', 33) }));
        Assert.Equal(["enrollment.student_number", "enrollment.grade", "enrollment.class_name", "enrollment.major"], errors.Select(e => e.Field));
    }

    [Fact]
    public void A_registration_with_a_bad_date_is_reported_with_its_position()
    {
        var d = Samples.Details();
        var errors = Validate(d with { Registrations = [d.Registrations[0], new TermRegistration { Term = "2024-2025-2", RegisteredOn = "2025-02-29" }] });
        Assert.Equal("registrations[1].registered_on", Assert.Single(errors).Field);
    }

    [Fact]
    public void A_grade_with_credits_that_are_not_a_decimal_is_refused()
    {
        var d = Samples.Details();
        var errors = Validate(d with { Grades = [d.Grades[0] with { Credits = "五" }, d.Grades[0] with { Credits = "-1" }] });
        Assert.Equal(["grades[0].credits", "grades[1].credits"], errors.Select(e => e.Field));
    }

    [Fact]
    public void A_quality_evaluation_summary_may_span_lines_but_not_exceed_2000_characters()
    {
        var d = Samples.Details();
        var ok = d.QualityEvaluations[0] with { Summary = new string('评', 1998) + "\r\n" };
        Assert.Empty(Validate(d with { QualityEvaluations = [ok] }));
        var errors = Validate(d with { QualityEvaluations = [ok with { Summary = ok.Summary + "。" }] });
        Assert.Equal("quality_evaluations[0].summary", Assert.Single(errors).Field);
    }

    [Fact]
    public void An_award_cannot_be_revoked_or_have_a_period()
    {
        var d = Samples.Details();
        var errors = Validate(d with { AwardsAndDiscipline = [d.AwardsAndDiscipline[0] with { Revoked = true, RevokedOn = "2025-07-01" }] });
        var error = Assert.Single(errors);
        Assert.Equal("awards_and_discipline[0].kind", error.Field);
        Assert.Equal("only discipline has a period and can be revoked", error.Description);
    }

    [Fact]
    public void A_revoked_discipline_needs_the_revocation_date()
    {
        var d = Samples.Details();
        var errors = Validate(d with { AwardsAndDiscipline = [d.AwardsAndDiscipline[1] with { RevokedOn = "" }] });
        Assert.Equal("awards_and_discipline[0].revoked_on", Assert.Single(errors).Field);
    }

    [Fact]
    public void The_same_award_entry_id_twice_is_refused()
    {
        var d = Samples.Details();
        var errors = Validate(d with { AwardsAndDiscipline = [d.AwardsAndDiscipline[0], d.AwardsAndDiscipline[1] with { EntryId = "A1" }] });
        var error = Assert.Single(errors);
        Assert.Equal("awards_and_discipline", error.Field);
        Assert.Equal("entry_id 'A1' appears more than once", error.Description);
    }

    [Fact]
    public void Too_many_list_entries_are_refused_with_the_limit()
    {
        var d = Samples.Details();
        var registrations = Enumerable.Repeat(d.Registrations[0], StudentDetailsValidator.MaxRegistrations + 1).ToList();
        var error = SingleError(d with { Registrations = registrations }, "registrations");
        Assert.Equal("has 201 entries; at most 200 are allowed", error.Description);
        Assert.Empty(Validate(d with { Registrations = registrations.Take(StudentDetailsValidator.MaxRegistrations).ToList() }));
    }

    [Fact]
    public void Every_broken_rule_is_reported_not_only_the_first()
    {
        var errors = Validate(new StudentDetails());
        Assert.Equal(
            ["basic.name", "basic.gender_code", "basic.ethnicity_code", "basic.birth_date",
             "enrollment.enrollment_date", "enrollment.education_level", "enrollment.degree_type", "enrollment.study_mode"],
            errors.Select(e => e.Field));
    }
}
