using RegistryExchange.Domain.Validation;

namespace RegistryExchange.Domain.Students;

/// <summary>
/// A student record and its history. Both the school agent and the authority apply changes through these methods,
/// so the same rules hold at both ends.
/// </summary>
public sealed class Student
{
    private readonly List<StatusEvent> _history;

    private Student(string localId, string schoolCode, StudentDetails details, StudentStatus status, List<StatusEvent> history, long version, string nationalNumber)
    {
        LocalId = localId;
        SchoolCode = schoolCode;
        Details = details;
        Status = status;
        _history = history;
        Version = version;
        NationalStudentNumber = nationalNumber;
    }

    public string LocalId { get; }
    public string SchoolCode { get; }
    public string NationalStudentNumber { get; private set; }
    public StudentStatus Status { get; private set; }
    public StudentDetails Details { get; private set; }
    public IReadOnlyList<StatusEvent> History => _history;
    public long Version { get; private set; }
    public bool IsEnded => StatusLifecycle.IsEnded(Status);

    /// <summary>学籍建立: a validated student, enrolled, with the enrolment as the first event.</summary>
    public static Student Register(string localId, string schoolCode, StudentDetails details, DateOnly today,
        string effectiveDate = "", string reason = "", string reference = "")
    {
        var errors = StudentDetailsValidator.Validate(details, today).ToList();
        var localIdProblem = CheckLocalId(localId);
        if (localIdProblem is not null)
        {
            errors.Add(new ValidationError("local_id", localIdProblem));
        }
        var date = effectiveDate.Length > 0 ? effectiveDate : details.Enrollment.EnrollmentDate;
        if (effectiveDate.Length > 0 && !Codes.CalendarDate.TryParse(effectiveDate, out _))
        {
            errors.Add(new ValidationError("effective_date", $"'{effectiveDate}' is not a real calendar date in YYYY-MM-DD form"));
        }
        AddTextProblem(errors, "reason", reason, 500);
        AddTextProblem(errors, "reference", reference, 100);
        if (errors.Count > 0)
        {
            throw new DomainValidationException(errors);
        }
        var enrol = new StatusEvent
        {
            Kind = StatusEventKind.Enroll,
            EffectiveDate = date,
            Reason = reason.Length > 0 ? reason : "学籍建立",
            Reference = reference,
            StatusBefore = StudentStatus.Unspecified,
            StatusAfter = StudentStatus.Enrolled,
        };
        return new Student(localId, schoolCode, details, StudentStatus.Enrolled, [enrol], 1, "");
    }

    /// <summary>Rebuilds a stored record; no rules are re-run.</summary>
    public static Student Restore(string localId, string schoolCode, string nationalNumber, StudentStatus status,
        StudentDetails details, IEnumerable<StatusEvent> history, long version) =>
        new(localId, schoolCode, details, status, [.. history], version, nationalNumber);

    public static string? CheckLocalId(string localId)
    {
        if (localId.Length is 0 or > 64)
        {
            return "must be 1 to 64 characters";
        }
        return localId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')
            ? null
            : "may only contain ASCII letters, digits, '-', '_' and '.'";
    }

    public void AssignNationalNumber(string nationalNumber)
    {
        if (NationalStudentNumber.Length > 0 && NationalStudentNumber != nationalNumber)
        {
            throw new InvalidOperationException("A national student number never changes once assigned.");
        }
        NationalStudentNumber = nationalNumber;
    }

    /// <summary>Replaces the school-maintained details.</summary>
    public void Update(StudentDetails details, DateOnly today)
    {
        var errors = StudentDetailsValidator.Validate(details, today);
        if (errors.Count > 0)
        {
            throw new DomainValidationException(errors);
        }
        Details = details;
        Version++;
    }

    /// <summary>Applies a 学籍异动 event or throws <see cref="IllegalTransitionException"/>.</summary>
    public StatusEvent ApplyStatusEvent(StatusEventKind kind, string effectiveDate, string reason, string reference, string newValue, DateOnly today)
    {
        var errors = StatusLifecycle.ValidateEvent(kind, effectiveDate, reason, reference, newValue, today);
        if (errors.Count > 0)
        {
            throw new DomainValidationException(errors);
        }
        var next = StatusLifecycle.Next(Status, kind, StatusBeforeTermination())
            ?? throw new IllegalTransitionException(Status, kind);
        var e = new StatusEvent
        {
            Kind = kind,
            EffectiveDate = effectiveDate,
            Reason = reason,
            Reference = reference,
            NewValue = newValue,
            StatusBefore = Status,
            StatusAfter = next,
        };
        Details = kind switch
        {
            StatusEventKind.ChangeMajor => Details with { Enrollment = Details.Enrollment with { Major = newValue } },
            StatusEventKind.ChangeStudyMode => Details with { Enrollment = Details.Enrollment with { StudyMode = ParseOrThrow<StudyMode>(newValue) } },
            StatusEventKind.ChangeEducationLevel => Details with { Enrollment = Details.Enrollment with { EducationLevel = ParseOrThrow<EducationLevel>(newValue) } },
            StatusEventKind.ChangeDegreeType => Details with { Enrollment = Details.Enrollment with { DegreeType = ParseOrThrow<DegreeType>(newValue) } },
            _ => Details,
        };
        Status = next;
        _history.Add(e);
        Version++;
        return e;
    }

    /// <summary>The status the last termination left: what a restoration returns to.</summary>
    private StudentStatus StatusBeforeTermination()
    {
        for (var i = _history.Count - 1; i >= 0; i--)
        {
            // Skip restorations: a withdrawal restored from cancellation must still lead back to before the withdrawal.
            if (_history[i].StatusAfter == Status && _history[i].Kind is StatusEventKind.Withdraw or StatusEventKind.Cancel)
            {
                return _history[i].StatusBefore;
            }
        }
        return StudentStatus.Unspecified;
    }

    private static T ParseOrThrow<T>(string text) where T : struct, Enum =>
        StatusLifecycle.ParseEnumValue<T>(text, out var v) ? v : throw new DomainValidationException([new("new_value", $"'{text}' is not a {typeof(T).Name}")]);

    private static void AddTextProblem(List<ValidationError> errors, string field, string value, int max)
    {
        var p = TextRules.Check(value, max, required: false, allowNewlines: true);
        if (p is not null)
        {
            errors.Add(new ValidationError(field, p));
        }
    }
}

public sealed class IllegalTransitionException(StudentStatus from, StatusEventKind kind)
    : Exception($"{kind} is not allowed for a student whose status is {from}")
{
    public StudentStatus From { get; } = from;
    public StatusEventKind Kind { get; } = kind;
}
