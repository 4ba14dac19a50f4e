using System.Globalization;
using System.Text;
using RegistryExchange.Domain.Codes;
using RegistryExchange.Domain.Students;

namespace RegistryExchange.SampleData;

/// <summary>A generated student: a stable local id and details that pass <c>StudentDetailsValidator</c>.</summary>
public sealed record SampleStudent(string LocalId, StudentDetails Details);

/// <summary>
/// Deterministic synthetic students for one school: the same seed, region and date give the same students.
/// ID numbers are valid GB 11643 numbers whose birth date and sequence parity match the record, unique within one
/// generator. Two schools should use different region codes (or seeds) to avoid colliding ID numbers.
/// </summary>
public sealed class SampleStudents
{
    private static readonly string[] Surnames =
    [
        "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗",
        "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "欧阳", "司马", "诸葛",
    ];

    private static readonly string[] GivenParts =
    [
        "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀", "霞", "平",
        "子", "涵", "浩", "宇", "欣", "怡", "梓", "萱", "博", "文", "思", "雨", "嘉", "俊", "晨", "轩", "一", "诺", "睿", "泽",
    ];

    // Rare characters staff really meet: 𠮷 and 𪚥 are outside the BMP (surrogate pairs), 䶮 is CJK Extension A.
    private static readonly string[] RareParts = ["𠮷", "䶮", "堃", "喆", "犇", "淼", "𪚥", "昇"];

    private static readonly string[] UyghurNames = ["阿依古丽·买买提", "艾力·吐尔逊", "古丽娜尔·艾山", "买买提·热合曼"];

    private static readonly string[] AwardTitles = ["三好学生", "优秀学生干部", "数学竞赛一等奖", "作文比赛二等奖", "科技创新奖", "运动会百米冠军"];
    private static readonly string[] AwardLevels = ["校级", "区级", "市级", "省级"];

    private readonly Random _random;
    private readonly string _region;
    private readonly DateOnly _today;
    private readonly string _prefix;
    private readonly int _seed;
    private readonly Dictionary<(DateOnly, bool), int> _used = [];

    public SampleStudents(int seed, string regionCode, DateOnly today, string localIdPrefix = "stu")
    {
        if (!Regions.IsValidRegionCode(regionCode))
        {
            throw new ArgumentException($"'{regionCode}' is not a GB/T 2260 region code", nameof(regionCode));
        }
        _random = new Random(seed);
        _seed = seed;
        _region = regionCode;
        _today = today;
        _prefix = $"{localIdPrefix}-{seed}-";
    }

    public IEnumerable<SampleStudent> Generate(int count)
    {
        for (var i = 1; i <= count; i++)
        {
            yield return new SampleStudent(_prefix + i.ToString("D7", CultureInfo.InvariantCulture), Next(i));
        }
    }

    private StudentDetails Next(int serial)
    {
        var (level, entryAge, years) = PickLevel();
        var schoolYear = _today.Month >= 9 ? _today.Year : _today.Year - 1;
        var enrolYear = schoolYear - _random.Next(years);
        var enrolment = new DateOnly(enrolYear, 9, 1);
        var male = _random.Next(2) == 0;
        var birth = new DateOnly(enrolYear - entryAge - 1, 9, 1).AddDays(_random.Next(365));
        var ethnicity = _random.Next(100) < 90 ? "01" : (_random.Next(55) + 2).ToString("D2", CultureInfo.InvariantCulture);
        var withoutId = _random.Next(100) < 2;
        var idNumber = withoutId ? "" : NextIdNumber(ref birth, male);
        var surname = Pick(Surnames);
        return new StudentDetails
        {
            Basic = new BasicInfo
            {
                Name = ethnicity == "05" ? Pick(UyghurNames) : surname + GivenName(),
                GenderCode = male ? GenderCodes.Male : GenderCodes.Female,
                EthnicityCode = ethnicity,
                BirthDate = CalendarDate.Format(birth),
                IdNumber = idNumber,
                Nationality = "CHN",
                NativePlaceRegionCode = _region,
                HouseholdRegionCode = _region,
                HouseholdAddress = $"和平路{_random.Next(1, 300)}号{_random.Next(1, 30)}单元{_random.Next(101, 2000)}室",
                Phone = Phone(),
                Guardians =
                [
                    new Guardian { Name = surname + GivenName(), Relation = _random.Next(2) == 0 ? "父亲" : "母亲", Phone = Phone() },
                ],
            },
            Enrollment = new Enrollment
            {
                StudentNumber = enrolYear.ToString(CultureInfo.InvariantCulture) + serial.ToString("D6", CultureInfo.InvariantCulture),
                EnrollmentDate = CalendarDate.Format(enrolment),
                Grade = enrolYear.ToString(CultureInfo.InvariantCulture),
                ClassName = $"{_random.Next(1, 9)}班",
                EducationLevel = level,
                DegreeType = DegreeType.None,
                StudyMode = StudyMode.FullTime,
            },
            AwardsAndDiscipline = Awards(enrolment),
        };
    }

    private (EducationLevel Level, int EntryAge, int Years) PickLevel() => _random.Next(3) switch
    {
        0 => (EducationLevel.Primary, 6, 6),
        1 => (EducationLevel.JuniorSecondary, 12, 3),
        _ => (EducationLevel.SeniorSecondary, 15, 3),
    };

    /// <summary>A valid number for the birth date and gender, never repeated by this generator; moves the birth
    /// date on by a day in the rare case that date's sequence numbers are used up.</summary>
    private string NextIdNumber(ref DateOnly birth, bool male)
    {
        while (_used.GetValueOrDefault((birth, male)) >= 499)
        {
            birth = birth.AddDays(1);
        }
        var n = _used.GetValueOrDefault((birth, male));
        _used[(birth, male)] = n + 1;
        // Odd sequences are men's, even women's; start at a seed-dependent offset so two seeds rarely collide.
        var offset = (int)(((birth.DayNumber * 7919L + _seed * 104729L) % 499 + 499) % 499);
        var slot = (n + offset) % 499;
        var sequence = male ? slot * 2 + 1 : slot * 2 + 2;
        var first17 = _region + birth.ToString("yyyyMMdd", CultureInfo.InvariantCulture) + sequence.ToString("D3", CultureInfo.InvariantCulture);
        return first17 + IdNumber.CheckCharacterFor(first17);
    }

    private string GivenName()
    {
        var sb = new StringBuilder();
        var length = _random.Next(100) < 30 ? 1 : 2;
        for (var i = 0; i < length; i++)
        {
            sb.Append(_random.Next(100) < 3 ? Pick(RareParts) : Pick(GivenParts));
        }
        return sb.ToString();
    }

    private List<AwardOrDiscipline> Awards(DateOnly enrolment)
    {
        var count = _random.Next(100) < 25 ? _random.Next(1, 3) : 0;
        var span = Math.Max(1, _today.DayNumber - enrolment.DayNumber);
        return [.. Enumerable.Range(1, count).Select(i => new AwardOrDiscipline
        {
            EntryId = "A" + i.ToString(CultureInfo.InvariantCulture),
            Kind = AwardKind.Award,
            Level = Pick(AwardLevels),
            Title = Pick(AwardTitles),
            Date = CalendarDate.Format(enrolment.AddDays(Math.Min(span - 1, _random.Next(span)))),
        })];
    }

    private string Phone() => "13" + _random.Next(0, 1_000_000_000).ToString("D9", CultureInfo.InvariantCulture);

    private T Pick<T>(T[] items) => items[_random.Next(items.Length)];
}
