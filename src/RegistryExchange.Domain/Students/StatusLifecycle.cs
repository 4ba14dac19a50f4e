using RegistryExchange.Domain.Codes;
using RegistryExchange.Domain.Validation;

namespace RegistryExchange.Domain.Students;

/// <summary>
/// The 学籍异动 state machine. Transfers have their own workflow and never pass through here.
/// Restoration (恢复) reverses a withdrawal or a cancellation (e.g. annulled on appeal) to the status before it
/// (a cancelled withdrawal returns to withdrawn);
/// graduation and death are final.
/// </summary>
public static class StatusLifecycle
{
    public static bool IsEnded(StudentStatus status) =>
        status is StudentStatus.Withdrawn or StudentStatus.Graduated or StudentStatus.Deceased or StudentStatus.Cancelled;

    /// <summary>The status after <paramref name="kind"/>, or null when the event is not allowed from <paramref name="current"/>.</summary>
    public static StudentStatus? Next(StudentStatus current, StatusEventKind kind, StudentStatus statusBeforeTermination) =>
        (current, kind) switch
        {
            (StudentStatus.Enrolled, StatusEventKind.Suspend) => StudentStatus.Suspended,
            (StudentStatus.Suspended, StatusEventKind.Resume) => StudentStatus.Enrolled,
            (StudentStatus.Enrolled or StudentStatus.Suspended, StatusEventKind.Withdraw) => StudentStatus.Withdrawn,
            (StudentStatus.Enrolled, StatusEventKind.Graduate) => StudentStatus.Graduated,
            (StudentStatus.Enrolled, StatusEventKind.ChangeMajor or StatusEventKind.ChangeStudyMode
                or StatusEventKind.ChangeEducationLevel or StatusEventKind.ChangeDegreeType) => StudentStatus.Enrolled,
            (StudentStatus.Enrolled or StudentStatus.Suspended, StatusEventKind.Death) => StudentStatus.Deceased,
            (StudentStatus.Enrolled or StudentStatus.Suspended or StudentStatus.Withdrawn, StatusEventKind.Cancel) => StudentStatus.Cancelled,
            (StudentStatus.Withdrawn or StudentStatus.Cancelled, StatusEventKind.Restore)
                when statusBeforeTermination is StudentStatus.Enrolled or StudentStatus.Suspended
                    || (statusBeforeTermination == StudentStatus.Withdrawn && current == StudentStatus.Cancelled) => statusBeforeTermination,
            _ => null,
        };

    /// <summary>Checks an event's own fields (not the transition); field names follow the wire contract.</summary>
    public static IReadOnlyList<ValidationError> ValidateEvent(StatusEventKind kind, string effectiveDate, string reason, string reference, string newValue, DateOnly today)
    {
        var errors = new List<ValidationError>();
        StudentDetailsValidator.CheckEnum(errors, "kind", kind);
        if (kind == StatusEventKind.Enroll)
        {
            errors.Add(new("kind", "ENROLL happens only when the student is created"));
        }
        if (!CalendarDate.TryParse(effectiveDate, out var date))
        {
            errors.Add(new("effective_date", $"'{effectiveDate}' is not a real calendar date in YYYY-MM-DD form"));
        }
        else if (date > today.AddYears(1))
        {
            errors.Add(new("effective_date", $"{effectiveDate} is more than a year ahead"));
        }
        var reasonProblem = TextRules.Check(reason, 500, required: kind != StatusEventKind.Enroll, allowNewlines: true);
        if (reasonProblem is not null)
        {
            errors.Add(new("reason", reasonProblem));
        }
        var referenceProblem = TextRules.Check(reference, 100, required: false);
        if (referenceProblem is not null)
        {
            errors.Add(new("reference", referenceProblem));
        }
        var newValueProblem = kind switch
        {
            StatusEventKind.ChangeMajor => TextRules.Check(newValue, 100, required: true),
            StatusEventKind.ChangeStudyMode => ParseEnumValue<StudyMode>(newValue, out _) ? null : EnumValueProblem<StudyMode>(newValue),
            StatusEventKind.ChangeEducationLevel => ParseEnumValue<EducationLevel>(newValue, out _) ? null : EnumValueProblem<EducationLevel>(newValue),
            StatusEventKind.ChangeDegreeType => ParseEnumValue<DegreeType>(newValue, out _) ? null : EnumValueProblem<DegreeType>(newValue),
            _ => newValue.Length > 0 ? "is only used by the CHANGE_* kinds" : null,
        };
        if (newValueProblem is not null)
        {
            errors.Add(new("new_value", newValueProblem));
        }
        return errors;
    }

    /// <summary>Accepts a member name in any case, with or without underscores or the wire prefix
    /// ("PART_TIME", "STUDY_MODE_PART_TIME", "PartTime").</summary>
    public static bool ParseEnumValue<T>(string text, out T value) where T : struct, Enum
    {
        var bare = text.Replace("_", "", StringComparison.Ordinal);
        var prefix = typeof(T).Name;
        if (bare.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            bare = bare[prefix.Length..];
        }
        // Names only: Enum.TryParse also takes numbers ("-1", " 2") and comma lists ("FullTime,PartTime" = 3).
        if (bare.Length > 0 && bare.All(char.IsAsciiLetter) && Enum.TryParse(bare, ignoreCase: true, out value)
            && Enum.IsDefined(value) && Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture) != 0)
        {
            return true;
        }
        value = default;
        return false;
    }

    private static string EnumValueProblem<T>(string text) where T : struct, Enum =>
        $"'{text}' is not one of {string.Join(", ", Enum.GetNames<T>().Where(n => n != "Unspecified"))}";
}
