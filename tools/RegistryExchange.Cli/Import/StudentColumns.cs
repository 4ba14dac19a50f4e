using System.Globalization;
using RegistryExchange.Domain.Codes;
using RegistryExchange.Domain.Students;
using W = RegistryExchange.Contracts.V1;

namespace RegistryExchange.Cli.Import;

/// <summary>One column of a student file: its snake_case name (the proto field), the Chinese headers staff use,
/// and the record field whose errors belong to it.</summary>
public sealed record StudentColumn(string Name, string FieldPath, params string[] Aliases);

/// <summary>
/// The columns of a student import file (CSV or xlsx, one header row). Headers are matched case-insensitively on
/// the snake_case name or any Chinese alias. The same mapping turns <c>rx students add/update</c> flags into a record.
/// </summary>
public static class StudentColumns
{
    public static readonly IReadOnlyList<StudentColumn> All =
    [
        new("local_id", "local_id", "本地编号"),
        new("name", "basic.name", "姓名"),
        new("former_name", "basic.former_name", "曾用名"),
        new("gender_code", "basic.gender_code", "gender", "性别"),
        new("ethnicity_code", "basic.ethnicity_code", "ethnicity", "民族"),
        new("birth_date", "basic.birth_date", "出生日期"),
        new("id_number", "basic.id_number", "身份证号", "身份证号码", "身份证件号"),
        new("nationality", "basic.nationality", "国籍"),
        new("native_place_region_code", "basic.native_place_region_code", "native_place", "籍贯"),
        new("household_region_code", "basic.household_region_code", "户口所在地", "户籍地"),
        new("household_address", "basic.household_address", "家庭住址", "现住址"),
        new("phone", "basic.phone", "联系电话", "电话"),
        new("guardian_name", "basic.guardians[0].name", "监护人", "监护人姓名"),
        new("guardian_relation", "basic.guardians[0].relation", "监护人关系", "与学生关系"),
        new("guardian_phone", "basic.guardians[0].phone", "监护人电话"),
        new("student_number", "enrollment.student_number", "学号"),
        new("enrollment_date", "enrollment.enrollment_date", "入学日期", "入学时间"),
        new("grade", "enrollment.grade", "年级"),
        new("class_name", "enrollment.class_name", "class", "班级"),
        new("education_level", "enrollment.education_level", "学历层次"),
        new("major", "enrollment.major", "专业"),
        new("degree_type", "enrollment.degree_type", "学位类型"),
        new("study_mode", "enrollment.study_mode", "学习形式"),
        new("awards", "awards_and_discipline", "奖励", "获奖情况"),
    ];

    private static readonly Dictionary<string, StudentColumn> ByHeader = All
        .SelectMany(c => c.Aliases.Append(c.Name).Select(h => (h, c)))
        .ToDictionary(x => x.h, x => x.c, StringComparer.OrdinalIgnoreCase);

    private static readonly Dictionary<string, EducationLevel> EducationLevels = new()
    {
        ["小学"] = EducationLevel.Primary, ["初中"] = EducationLevel.JuniorSecondary, ["高中"] = EducationLevel.SeniorSecondary,
        ["中职"] = EducationLevel.SecondaryVocational, ["专科"] = EducationLevel.JuniorCollege, ["本科"] = EducationLevel.Bachelor,
        ["硕士研究生"] = EducationLevel.Master, ["硕士"] = EducationLevel.Master, ["博士研究生"] = EducationLevel.Doctorate, ["博士"] = EducationLevel.Doctorate,
    };

    private static readonly Dictionary<string, StudyMode> StudyModes = new()
    {
        ["全日制"] = StudyMode.FullTime, ["非全日制"] = StudyMode.PartTime, ["函授"] = StudyMode.Correspondence,
        ["业余"] = StudyMode.SpareTime, ["网络教育"] = StudyMode.Online,
    };

    private static readonly Dictionary<string, DegreeType> DegreeTypes = new()
    {
        ["无"] = DegreeType.None, ["学术学位"] = DegreeType.Academic, ["专业学位"] = DegreeType.Professional,
    };

    private static readonly Dictionary<string, string> Genders = new()
    {
        ["男"] = GenderCodes.Male, ["女"] = GenderCodes.Female, ["未知"] = GenderCodes.Unknown, ["未说明"] = GenderCodes.Unspecified,
    };

    private static readonly string[] DateFormats = ["yyyy-MM-dd", "yyyy/M/d", "yyyy.M.d", "yyyyMMdd", "yyyy-M-d", "yyyy年M月d日"];

    public static StudentColumn? FromHeader(string header) => ByHeader.GetValueOrDefault(header.Trim().TrimStart('\uFEFF'));

    /// <summary>The column a server-side field path belongs to ("basic.id_number" → id_number).</summary>
    public static StudentColumn? FromField(string field)
    {
        var bare = field.StartsWith("details.", StringComparison.Ordinal) ? field["details.".Length..] : field;
        return All.FirstOrDefault(c => bare == c.FieldPath || bare.StartsWith(c.FieldPath + ".", StringComparison.Ordinal)
            || bare.StartsWith(c.FieldPath + "[", StringComparison.Ordinal))
            ?? (bare.StartsWith("basic.guardians", StringComparison.Ordinal) ? All.First(c => c.Name == "guardian_name") : null);
    }

    /// <summary>
    /// Writes the given column values into <paramref name="details"/>. Empty values leave a field as it is.
    /// Values that cannot even be read (an unknown education level) are returned as errors keyed by column name;
    /// everything else is left for the agent's validator, which names the precise rule.
    /// </summary>
    public static List<(string Column, string Problem)> Apply(W.StudentDetails details, IReadOnlyDictionary<string, string> values)
    {
        var errors = new List<(string, string)>();
        details.Basic ??= new W.BasicInfo();
        details.Enrollment ??= new W.Enrollment();
        var b = details.Basic;
        var e = details.Enrollment;
        foreach (var (column, raw) in values)
        {
            var value = raw.Trim();
            if (value.Length == 0)
            {
                continue;
            }
            switch (column)
            {
                case "name": b.Name = value; break;
                case "former_name": b.FormerName = value; break;
                case "gender_code": b.GenderCode = Genders.GetValueOrDefault(value, value); break;
                case "ethnicity_code": b.EthnicityCode = Ethnicity(value); break;
                case "birth_date": b.BirthDate = Date(value); break;
                case "id_number": b.IdNumber = value.ToUpperInvariant(); break;
                case "nationality": b.Nationality = value.ToUpperInvariant(); break;
                case "native_place_region_code": b.NativePlaceRegionCode = value; break;
                case "household_region_code": b.HouseholdRegionCode = value; break;
                case "household_address": b.HouseholdAddress = value; break;
                case "phone": b.Phone = value; break;
                case "guardian_name": Guardian(b).Name = value; break;
                case "guardian_relation": Guardian(b).Relation = value; break;
                case "guardian_phone": Guardian(b).Phone = value; break;
                case "student_number": e.StudentNumber = value; break;
                case "enrollment_date": e.EnrollmentDate = Date(value); break;
                case "grade": e.Grade = value; break;
                case "class_name": e.ClassName = value; break;
                case "major": e.Major = value; break;
                case "education_level": SetEnum(column, value, EducationLevels, v => e.EducationLevel = (W.EducationLevel)v, errors); break;
                case "degree_type": SetEnum(column, value, DegreeTypes, v => e.DegreeType = (W.DegreeType)v, errors); break;
                case "study_mode": SetEnum(column, value, StudyModes, v => e.StudyMode = (W.StudyMode)v, errors); break;
                case "awards":
                    if (!TryAwards(value, details, out var problem)) { errors.Add((column, problem)); }
                    break;
                default:
                    break;
            }
        }
        return errors;
    }

    /// <summary>K-12 files rarely carry these: full-time study without a degree unless a column says otherwise.</summary>
    public static void ApplyDefaults(W.StudentDetails details)
    {
        if (details.Enrollment.StudyMode == W.StudyMode.Unspecified)
        {
            details.Enrollment.StudyMode = W.StudyMode.FullTime;
        }
        if (details.Enrollment.DegreeType == W.DegreeType.Unspecified)
        {
            details.Enrollment.DegreeType = W.DegreeType.None;
        }
    }

    /// <summary>The column values of a record, for writing sample files.</summary>
    public static Dictionary<string, string> ToValues(string localId, StudentDetails d)
    {
        var guardian = d.Basic.Guardians.Count > 0 ? d.Basic.Guardians[0] : new Domain.Students.Guardian();
        return new()
        {
            ["local_id"] = localId,
            ["name"] = d.Basic.Name,
            ["former_name"] = d.Basic.FormerName,
            ["gender_code"] = d.Basic.GenderCode,
            ["ethnicity_code"] = d.Basic.EthnicityCode,
            ["birth_date"] = d.Basic.BirthDate,
            ["id_number"] = d.Basic.IdNumber,
            ["nationality"] = d.Basic.Nationality,
            ["native_place_region_code"] = d.Basic.NativePlaceRegionCode,
            ["household_region_code"] = d.Basic.HouseholdRegionCode,
            ["household_address"] = d.Basic.HouseholdAddress,
            ["phone"] = d.Basic.Phone,
            ["guardian_name"] = guardian.Name,
            ["guardian_relation"] = guardian.Relation,
            ["guardian_phone"] = guardian.Phone,
            ["student_number"] = d.Enrollment.StudentNumber,
            ["enrollment_date"] = d.Enrollment.EnrollmentDate,
            ["grade"] = d.Enrollment.Grade,
            ["class_name"] = d.Enrollment.ClassName,
            ["education_level"] = Wire(d.Enrollment.EducationLevel),
            ["major"] = d.Enrollment.Major,
            ["degree_type"] = Wire(d.Enrollment.DegreeType),
            ["study_mode"] = Wire(d.Enrollment.StudyMode),
            ["awards"] = string.Join("; ", d.AwardsAndDiscipline.Where(a => a.Kind == AwardKind.Award).Select(a => $"{a.Date}|{a.Level}|{a.Title}")),
        };
    }

    /// <summary>"BACHELOR" for EducationLevel.Bachelor: the proto enum name without its prefix.</summary>
    public static string Wire<T>(T value) where T : struct, Enum =>
        string.Concat(value.ToString().Select((c, i) => i > 0 && char.IsUpper(c) ? "_" + c : c.ToString())).ToUpperInvariant();

    private static W.Guardian Guardian(W.BasicInfo b)
    {
        if (b.Guardians.Count == 0)
        {
            b.Guardians.Add(new W.Guardian());
        }
        return b.Guardians[0];
    }

    private static string Ethnicity(string value)
    {
        if (value.All(char.IsAsciiDigit) && value.Length == 1)
        {
            return "0" + value;
        }
        for (var n = 1; n <= 98; n++)
        {
            var code = n.ToString("D2", CultureInfo.InvariantCulture);
            var name = EthnicityCodes.Name(code);
            if (name is not null && (name == value || name == value + "族" || (name.EndsWith('族') && name[..^1] == value)))
            {
                return code;
            }
        }
        return value;
    }

    /// <summary>Common spreadsheet spellings of a date become ISO; anything else goes through unchanged for the
    /// validator to name.</summary>
    public static string Date(string value) =>
        DateOnly.TryParseExact(value, DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
            ? CalendarDate.Format(d)
            : value;

    private static void SetEnum<T>(string column, string value, Dictionary<string, T> chinese, Action<T> set, List<(string, string)> errors)
        where T : struct, Enum
    {
        if (chinese.TryGetValue(value, out var result) || StatusLifecycle.ParseEnumValue(value, out result))
        {
            set(result);
            return;
        }
        var names = Enum.GetValues<T>().Skip(1).Select(v => Wire(v)).Concat(chinese.Keys);
        errors.Add((column, $"'{value}' is not one of {string.Join(", ", names)}"));
    }

    /// <summary>"date|level|title" entries separated by ';', e.g. "2024-06-01|校级|三好学生".</summary>
    private static bool TryAwards(string value, W.StudentDetails details, out string problem)
    {
        details.AwardsAndDiscipline.Clear();
        var entries = value.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < entries.Length; i++)
        {
            var parts = entries[i].Split('|', StringSplitOptions.TrimEntries);
            if (parts.Length != 3)
            {
                problem = $"entry {i + 1} '{entries[i]}' is not date|level|title";
                return false;
            }
            details.AwardsAndDiscipline.Add(new W.AwardOrDiscipline
            {
                EntryId = "A" + (i + 1).ToString(CultureInfo.InvariantCulture),
                Kind = W.AwardKind.Award,
                Date = Date(parts[0]),
                Level = parts[1],
                Title = parts[2],
            });
        }
        problem = "";
        return true;
    }
}
