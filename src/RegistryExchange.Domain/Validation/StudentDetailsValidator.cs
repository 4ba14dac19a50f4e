using RegistryExchange.Domain.Codes;
using RegistryExchange.Domain.Students;

namespace RegistryExchange.Domain.Validation;

/// <summary>Every rule a school's entry must satisfy, at the agent and again at the authority.</summary>
public static class StudentDetailsValidator
{
    public const int MaxGuardians = 10;
    public const int MaxRegistrations = 200;
    public const int MaxGrades = 2000;
    public const int MaxEvaluations = 100;
    public const int MaxAwards = 500;

    public static IReadOnlyList<ValidationError> Validate(StudentDetails details, DateOnly today)
    {
        var errors = new List<ValidationError>();
        ValidateBasic(details.Basic, today, errors);
        ValidateEnrollment(details.Enrollment, details.Basic, errors);
        ValidateLists(details, errors);
        return errors;
    }

    private static void Add(List<ValidationError> errors, string field, string? problem)
    {
        if (problem is not null)
        {
            errors.Add(new ValidationError(field, problem));
        }
    }

    private static void ValidateBasic(BasicInfo b, DateOnly today, List<ValidationError> errors)
    {
        Add(errors, "basic.name", TextRules.CheckPersonName(b.Name, required: true));
        Add(errors, "basic.former_name", TextRules.CheckPersonName(b.FormerName, required: false));
        if (!GenderCodes.IsValid(b.GenderCode))
        {
            errors.Add(new("basic.gender_code", $"'{b.GenderCode}' is not a GB/T 2261.1 code (0, 1, 2 or 9)"));
        }
        if (!EthnicityCodes.IsValid(b.EthnicityCode))
        {
            errors.Add(new("basic.ethnicity_code", $"'{b.EthnicityCode}' is not a GB/T 3304 code (01-56, 97, 98)"));
        }
        var birthOk = CalendarDate.TryParse(b.BirthDate, out var birth);
        if (!birthOk)
        {
            errors.Add(new("basic.birth_date", $"'{b.BirthDate}' is not a real calendar date in YYYY-MM-DD form"));
        }
        else if (birth > today || birth.Year < 1900)
        {
            errors.Add(new("basic.birth_date", $"{b.BirthDate} is not a plausible birth date"));
        }
        if (b.IdNumber.Length > 0)
        {
            if (!IdNumber.TryParse(b.IdNumber, out var id, out var idError))
            {
                errors.Add(new("basic.id_number", "ID number " + idError));
            }
            else
            {
                if (birthOk && id!.BirthDate != birth)
                {
                    errors.Add(new("basic.id_number", $"the birth date in the ID number ({CalendarDate.Format(id.BirthDate)}) differs from birth_date ({b.BirthDate})"));
                }
                if ((b.GenderCode == GenderCodes.Male && !id!.IsMale) || (b.GenderCode == GenderCodes.Female && id!.IsMale))
                {
                    errors.Add(new("basic.id_number", $"the ID number's sequence digit says {(id!.IsMale ? "male" : "female")} but gender_code is {b.GenderCode}"));
                }
            }
        }
        if (b.Nationality.Length > 0 && (b.Nationality.Length != 3 || !b.Nationality.All(char.IsAsciiLetterUpper)))
        {
            errors.Add(new("basic.nationality", $"'{b.Nationality}' is not an ISO 3166-1 alpha-3 code"));
        }
        CheckRegion(errors, "basic.native_place_region_code", b.NativePlaceRegionCode);
        CheckRegion(errors, "basic.household_region_code", b.HouseholdRegionCode);
        Add(errors, "basic.household_address", TextRules.Check(b.HouseholdAddress, 200, required: false));
        Add(errors, "basic.phone", TextRules.CheckPhone(b.Phone, required: false));
        if (b.Guardians.Count > MaxGuardians)
        {
            errors.Add(new("basic.guardians", $"at most {MaxGuardians} guardians are allowed"));
        }
        for (var i = 0; i < Math.Min(b.Guardians.Count, MaxGuardians); i++)
        {
            var g = b.Guardians[i];
            Add(errors, $"basic.guardians[{i}].name", TextRules.CheckPersonName(g.Name, required: true));
            Add(errors, $"basic.guardians[{i}].relation", TextRules.Check(g.Relation, 20, required: true));
            Add(errors, $"basic.guardians[{i}].phone", TextRules.CheckPhone(g.Phone, required: false));
        }
    }

    private static void CheckRegion(List<ValidationError> errors, string field, string code)
    {
        if (code.Length > 0 && !Regions.IsValidRegionCode(code))
        {
            errors.Add(new(field, $"'{code}' is not a GB/T 2260 region code (six digits starting with a province)"));
        }
    }

    private static void ValidateEnrollment(Enrollment e, BasicInfo b, List<ValidationError> errors)
    {
        Add(errors, "enrollment.student_number", TextRules.Check(e.StudentNumber, 32, required: false));
        if (!CalendarDate.TryParse(e.EnrollmentDate, out var enrolled))
        {
            errors.Add(new("enrollment.enrollment_date", $"'{e.EnrollmentDate}' is not a real calendar date in YYYY-MM-DD form"));
        }
        else if (CalendarDate.TryParse(b.BirthDate, out var birth) && enrolled < birth)
        {
            errors.Add(new("enrollment.enrollment_date", "is before the birth date"));
        }
        Add(errors, "enrollment.grade", TextRules.Check(e.Grade, 20, required: false));
        Add(errors, "enrollment.class_name", TextRules.Check(e.ClassName, 50, required: false));
        CheckEnum(errors, "enrollment.education_level", e.EducationLevel);
        Add(errors, "enrollment.major", TextRules.Check(e.Major, 100, required: false));
        CheckEnum(errors, "enrollment.degree_type", e.DegreeType);
        CheckEnum(errors, "enrollment.study_mode", e.StudyMode);
    }

    internal static void CheckEnum<T>(List<ValidationError> errors, string field, T value) where T : struct, Enum
    {
        if (!Enum.IsDefined(value))
        {
            errors.Add(new(field, $"{Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture)} is not a known value"));
        }
        else if (Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture) == 0)
        {
            errors.Add(new(field, "is required"));
        }
    }

    private static void CheckDate(List<ValidationError> errors, string field, string value, bool required)
    {
        if (value.Length == 0 && !required)
        {
            return;
        }
        if (!CalendarDate.TryParse(value, out _))
        {
            errors.Add(new(field, $"'{value}' is not a real calendar date in YYYY-MM-DD form"));
        }
    }

    private static void ValidateLists(StudentDetails d, List<ValidationError> errors)
    {
        CheckCount(errors, "registrations", d.Registrations.Count, MaxRegistrations);
        for (var i = 0; i < Math.Min(d.Registrations.Count, MaxRegistrations); i++)
        {
            var r = d.Registrations[i];
            Add(errors, $"registrations[{i}].term", TextRules.Check(r.Term, 20, required: true));
            CheckDate(errors, $"registrations[{i}].registered_on", r.RegisteredOn, required: true);
        }
        CheckCount(errors, "grades", d.Grades.Count, MaxGrades);
        for (var i = 0; i < Math.Min(d.Grades.Count, MaxGrades); i++)
        {
            var g = d.Grades[i];
            Add(errors, $"grades[{i}].term", TextRules.Check(g.Term, 20, required: true));
            Add(errors, $"grades[{i}].course", TextRules.Check(g.Course, 100, required: true));
            Add(errors, $"grades[{i}].score", TextRules.Check(g.Score, 20, required: true));
            if (g.Credits.Length > 0 && !decimal.TryParse(g.Credits, System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture, out _))
            {
                errors.Add(new($"grades[{i}].credits", $"'{g.Credits}' is not a decimal number"));
            }
        }
        CheckCount(errors, "quality_evaluations", d.QualityEvaluations.Count, MaxEvaluations);
        for (var i = 0; i < Math.Min(d.QualityEvaluations.Count, MaxEvaluations); i++)
        {
            var q = d.QualityEvaluations[i];
            Add(errors, $"quality_evaluations[{i}].term", TextRules.Check(q.Term, 20, required: true));
            Add(errors, $"quality_evaluations[{i}].level", TextRules.Check(q.Level, 20, required: true));
            Add(errors, $"quality_evaluations[{i}].summary", TextRules.Check(q.Summary, 2000, required: false, allowNewlines: true));
        }
        CheckCount(errors, "awards_and_discipline", d.AwardsAndDiscipline.Count, MaxAwards);
        for (var i = 0; i < Math.Min(d.AwardsAndDiscipline.Count, MaxAwards); i++)
        {
            var a = d.AwardsAndDiscipline[i];
            var p = $"awards_and_discipline[{i}]";
            Add(errors, p + ".entry_id", TextRules.Check(a.EntryId, 64, required: true));
            CheckEnum(errors, p + ".kind", a.Kind);
            Add(errors, p + ".level", TextRules.Check(a.Level, 50, required: true));
            Add(errors, p + ".title", TextRules.Check(a.Title, 200, required: true));
            Add(errors, p + ".reason", TextRules.Check(a.Reason, 1000, required: false, allowNewlines: true));
            CheckDate(errors, p + ".date", a.Date, required: true);
            CheckDate(errors, p + ".period_end_date", a.PeriodEndDate, required: false);
            CheckDate(errors, p + ".revoked_on", a.RevokedOn, required: a.Revoked);
            if (a.Kind == AwardKind.Award && (a.Revoked || a.PeriodEndDate.Length > 0))
            {
                errors.Add(new(p + ".kind", "only discipline has a period and can be revoked"));
            }
        }
        var duplicateEntry = d.AwardsAndDiscipline.GroupBy(a => a.EntryId, StringComparer.Ordinal).FirstOrDefault(g => g.Key.Length > 0 && g.Count() > 1);
        if (duplicateEntry is not null)
        {
            errors.Add(new("awards_and_discipline", $"entry_id '{duplicateEntry.Key}' appears more than once"));
        }
    }

    private static void CheckCount(List<ValidationError> errors, string field, int count, int max)
    {
        if (count > max)
        {
            errors.Add(new(field, $"has {count} entries; at most {max} are allowed"));
        }
    }
}
