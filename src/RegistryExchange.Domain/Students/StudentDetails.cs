namespace RegistryExchange.Domain.Students;

// The school-maintained part of a record. Dates are ISO "YYYY-MM-DD" strings, national codes their published
// strings: the wire carries them so, and StudentDetailsValidator proves them before anything is stored.

public sealed record StudentDetails
{
    public BasicInfo Basic { get; init; } = new();
    public Enrollment Enrollment { get; init; } = new();
    public IReadOnlyList<TermRegistration> Registrations { get; init; } = [];
    public IReadOnlyList<CourseGrade> Grades { get; init; } = [];
    public IReadOnlyList<QualityEvaluation> QualityEvaluations { get; init; } = [];
    public IReadOnlyList<AwardOrDiscipline> AwardsAndDiscipline { get; init; } = [];
}

public sealed record BasicInfo
{
    public string Name { get; init; } = "";
    public string FormerName { get; init; } = "";
    public string GenderCode { get; init; } = "";
    public string EthnicityCode { get; init; } = "";
    public string BirthDate { get; init; } = "";
    public string IdNumber { get; init; } = "";
    public string Nationality { get; init; } = "";
    public string NativePlaceRegionCode { get; init; } = "";
    public string HouseholdAddress { get; init; } = "";
    public string HouseholdRegionCode { get; init; } = "";
    public string Phone { get; init; } = "";
    public IReadOnlyList<Guardian> Guardians { get; init; } = [];
}

public sealed record Guardian
{
    public string Name { get; init; } = "";
    public string Relation { get; init; } = "";
    public string Phone { get; init; } = "";
}

public sealed record Enrollment
{
    public string StudentNumber { get; init; } = "";
    public string EnrollmentDate { get; init; } = "";
    public string Grade { get; init; } = "";
    public string ClassName { get; init; } = "";
    public EducationLevel EducationLevel { get; init; }
    public string Major { get; init; } = "";
    public DegreeType DegreeType { get; init; }
    public StudyMode StudyMode { get; init; }
}

public sealed record TermRegistration
{
    public string Term { get; init; } = "";
    public string RegisteredOn { get; init; } = "";
}

public sealed record CourseGrade
{
    public string Term { get; init; } = "";
    public string Course { get; init; } = "";
    public string Score { get; init; } = "";
    public string Credits { get; init; } = "";
}

public sealed record QualityEvaluation
{
    public string Term { get; init; } = "";
    public string Level { get; init; } = "";
    public string Summary { get; init; } = "";
}

public sealed record AwardOrDiscipline
{
    public string EntryId { get; init; } = "";
    public AwardKind Kind { get; init; }
    public string Level { get; init; } = "";
    public string Title { get; init; } = "";
    public string Reason { get; init; } = "";
    public string Date { get; init; } = "";
    public string PeriodEndDate { get; init; } = "";
    public bool Revoked { get; init; }
    public string RevokedOn { get; init; } = "";
}

/// <summary>A dated status change with its reason and supporting material.</summary>
public sealed record StatusEvent
{
    public StatusEventKind Kind { get; init; }
    public string EffectiveDate { get; init; } = "";
    public string Reason { get; init; } = "";
    public string Reference { get; init; } = "";
    public string NewValue { get; init; } = "";
    public StudentStatus StatusBefore { get; init; }
    public StudentStatus StatusAfter { get; init; }
}
