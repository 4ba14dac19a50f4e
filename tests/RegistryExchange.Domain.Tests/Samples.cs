using RegistryExchange.Domain.Students;

namespace RegistryExchange.Domain.Tests;

/// <summary>Test data: a complete, valid record and citizen ID numbers built independently of the code under test.</summary>
internal static class Samples
{
    public static readonly DateOnly Today = new(2026, 6, 1);

    /// <summary>The example published with GB 11643-1999: Beijing Chaoyang, born 1949-12-31, sequence 002 (female).</summary>
    public const string PublishedId = "11010519491231002X";

    /// <summary>A male student (sequence 123), born 2006-03-15 in Beijing Haidian.</summary>
    public static readonly string StudentId = IdWithCheck("110108" + "20060315" + "123");

    /// <summary>Appends the GB 11643 check character, computed here from the standard rather than by the domain.</summary>
    public static string IdWithCheck(string first17)
    {
        // ISO 7064 MOD 11-2: weight of position i (1-based from the right, the check being 1) is 2^(i-1) mod 11.
        var sum = 0;
        for (var i = 0; i < 17; i++)
        {
            var weight = 1;
            for (var k = 0; k < 17 - i; k++)
            {
                weight = weight * 2 % 11;
            }
            sum += (first17[i] - '0') * weight;
        }
        var check = (12 - sum % 11) % 11;
        return first17 + (check == 10 ? "X" : check.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public static StudentDetails Details() => new()
    {
        Basic = new BasicInfo
        {
            Name = "李𠮷",
            FormerName = "李小吉",
            GenderCode = "1",
            EthnicityCode = "01",
            BirthDate = "2006-03-15",
            IdNumber = StudentId,
            Nationality = "CHN",
            NativePlaceRegionCode = "320102",
            HouseholdAddress = "北京市海淀区中关村大街1号",
            HouseholdRegionCode = "110108",
            Phone = "+86 138-0000-0000",
            Guardians = [new Guardian { Name = "王芳", Relation = "母亲", Phone = "13900000000" }],
        },
        Enrollment = new Enrollment
        {
            StudentNumber = "S2024001",
            EnrollmentDate = "2024-09-01",
            Grade = "2024",
            ClassName = "计科2401班",
            EducationLevel = EducationLevel.Bachelor,
            Major = "计算机科学与技术",
            DegreeType = DegreeType.Academic,
            StudyMode = StudyMode.FullTime,
        },
        Registrations = [new TermRegistration { Term = "2024-2025-1", RegisteredOn = "2024-09-02" }],
        Grades = [new CourseGrade { Term = "2024-2025-1", Course = "高等数学", Score = "92.5", Credits = "5.0" }],
        QualityEvaluations = [new QualityEvaluation { Term = "2024-2025-1", Level = "优秀", Summary = "积极参加社会实践。\n担任班长。" }],
        AwardsAndDiscipline =
        [
            new AwardOrDiscipline { EntryId = "A1", Kind = AwardKind.Award, Level = "校级", Title = "三好学生", Date = "2025-06-01" },
            new AwardOrDiscipline
            {
                EntryId = "D1", Kind = AwardKind.Discipline, Level = "警告", Title = "违反宿舍管理规定", Reason = "晚归",
                Date = "2025-03-01", PeriodEndDate = "2025-09-01", Revoked = true, RevokedOn = "2025-06-15",
            },
        ],
    };

    public static StudentDetails WithBasic(Func<BasicInfo, BasicInfo> change)
    {
        var d = Details();
        return d with { Basic = change(d.Basic) };
    }

    public static StudentDetails WithEnrollment(Func<Enrollment, Enrollment> change)
    {
        var d = Details();
        return d with { Enrollment = change(d.Enrollment) };
    }

    public static Student NewStudent() => Student.Register("stu-001", "1111010001", Details(), Today);

    /// <summary>A valid new_value for the CHANGE_* kinds, empty for the others.</summary>
    public static string NewValueFor(StatusEventKind kind) => kind switch
    {
        StatusEventKind.ChangeMajor => "软件工程",
        StatusEventKind.ChangeStudyMode => "PART_TIME",
        StatusEventKind.ChangeEducationLevel => "MASTER",
        StatusEventKind.ChangeDegreeType => "PROFESSIONAL",
        _ => "",
    };

    public static StatusEvent Apply(this Student student, StatusEventKind kind) =>
        student.ApplyStatusEvent(kind, "2025-03-01", "依据学校决定", "XJ-2025-001", NewValueFor(kind), Today);

    /// <summary>A registered student brought to <paramref name="status"/> by the shortest path of events;
    /// a record with no status can only come from storage.</summary>
    public static Student StudentIn(StudentStatus status, params StatusEventKind[] path)
    {
        if (status == StudentStatus.Unspecified)
        {
            return Student.Restore("stu-001", "1111010001", "", StudentStatus.Unspecified, Details(), [], 1);
        }
        var student = NewStudent();
        var events = path.Length > 0 ? path : status switch
        {
            StudentStatus.Enrolled => [],
            StudentStatus.Suspended => [StatusEventKind.Suspend],
            StudentStatus.Withdrawn => [StatusEventKind.Withdraw],
            StudentStatus.Graduated => [StatusEventKind.Graduate],
            StudentStatus.Deceased => [StatusEventKind.Death],
            StudentStatus.Cancelled => [StatusEventKind.Cancel],
            _ => throw new ArgumentOutOfRangeException(nameof(status)),
        };
        foreach (var kind in events)
        {
            student.Apply(kind);
        }
        Assert.Equal(status, student.Status);
        return student;
    }
}
