namespace RegistryExchange.Domain.Students;

// Numeric values match the wire contracts so translation is a cast; 0 is always "not given".

/// <summary>学籍状态.</summary>
public enum StudentStatus
{
    Unspecified = 0,
    Enrolled = 1,
    Suspended = 2,
    Withdrawn = 3,
    Graduated = 4,
    Deceased = 5,
    Cancelled = 6,
}

/// <summary>学籍异动 kinds.</summary>
public enum StatusEventKind
{
    Unspecified = 0,
    Enroll = 1,
    Suspend = 2,
    Resume = 3,
    Withdraw = 4,
    Graduate = 5,
    ChangeMajor = 6,
    ChangeStudyMode = 7,
    ChangeEducationLevel = 8,
    ChangeDegreeType = 9,
    Death = 10,
    Cancel = 11,
    Restore = 12,
}

/// <summary>学历层次.</summary>
public enum EducationLevel
{
    Unspecified = 0,
    Primary = 1,
    JuniorSecondary = 2,
    SeniorSecondary = 3,
    SecondaryVocational = 4,
    JuniorCollege = 5,
    Bachelor = 6,
    Master = 7,
    Doctorate = 8,
}

/// <summary>学位类型.</summary>
public enum DegreeType
{
    Unspecified = 0,
    None = 1,
    Academic = 2,
    Professional = 3,
}

/// <summary>学习形式.</summary>
public enum StudyMode
{
    Unspecified = 0,
    FullTime = 1,
    PartTime = 2,
    Correspondence = 3,
    SpareTime = 4,
    Online = 5,
}

public enum AwardKind
{
    Unspecified = 0,
    Award = 1,
    Discipline = 2,
}
