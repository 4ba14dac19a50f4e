using System.Globalization;
using RegistryExchange.Contracts.V1;
using RegistryExchange.Domain.Codes;

namespace RegistryExchange.EndToEnd.Tests.Infrastructure;

/// <summary>Deterministic, valid students for a seed: GB 11643 IDs that agree with birth date and gender.</summary>
public static class TestStudents
{
    private static readonly string[] Surnames = ["王", "李", "张", "刘", "陈", "杨", "黄", "吴", "𠮷"];
    private static readonly string[] Given = ["伟", "芳", "娜", "敏", "静", "䶮", "磊", "洋", "艳", "勇"];

    public static StudentDetails Details(int seed, int index, string region = "110105")
    {
        var random = new Random(HashCode.Combine(seed, index));
        // (birth date, sequence) is unique per index, so IDs never collide within a region.
        var birth = new DateOnly(2008, 1, 1).AddDays(index / 500);
        var male = random.Next(2) == 0;
        var sequence = (index % 500) * 2 + (male ? 1 : 0); // odd for men, even for women
        var first17 = region + birth.ToString("yyyyMMdd", CultureInfo.InvariantCulture) + sequence.ToString("D3", CultureInfo.InvariantCulture);
        var noId = index % 50 == 49;
        var id = noId ? "" : first17 + IdNumber.CheckCharacterFor(first17);
        var details = new StudentDetails
        {
            Basic = new BasicInfo
            {
                Name = Surnames[random.Next(Surnames.Length)] + Given[random.Next(Given.Length)] + Given[random.Next(Given.Length)],
                GenderCode = male ? "1" : "2",
                EthnicityCode = random.Next(10) == 0 ? "03" : "01",
                BirthDate = birth.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                IdNumber = id,
                Nationality = "CHN",
                HouseholdRegionCode = region,
                HouseholdAddress = "北京市朝阳区测试路" + index + "号",
                Guardians = { new Guardian { Name = "王建国", Relation = "父亲", Phone = "13800000000" } },
            },
            Enrollment = new Enrollment
            {
                StudentNumber = "S" + index.ToString("D6", CultureInfo.InvariantCulture),
                EnrollmentDate = "2024-09-01",
                Grade = "2024",
                ClassName = "一班",
                EducationLevel = EducationLevel.SeniorSecondary,
                DegreeType = DegreeType.None,
                StudyMode = StudyMode.FullTime,
            },
        };
        details.Registrations.Add(new TermRegistration { Term = "2024-2025-1", RegisteredOn = "2024-09-01" });
        details.Grades.Add(new CourseGrade { Term = "2024-2025-1", Course = "语文", Score = (60 + random.Next(40)).ToString(CultureInfo.InvariantCulture) });
        details.Grades.Add(new CourseGrade { Term = "2024-2025-1", Course = "数学", Score = (60 + random.Next(40)).ToString(CultureInfo.InvariantCulture) });
        return details;
    }

    /// <summary>A region per school keeps ID numbers distinct across schools.</summary>
    public static string LocalId(int index) => "stu-" + index.ToString("D6", CultureInfo.InvariantCulture);
}
