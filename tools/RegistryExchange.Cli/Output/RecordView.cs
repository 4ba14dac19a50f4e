using Google.Protobuf;
using RegistryExchange.Domain.Codes;
using Spectre.Console;
using W = RegistryExchange.Contracts.V1;

namespace RegistryExchange.Cli.Output;

/// <summary>Tables for records. ID numbers are masked unless the caller asks to see them.</summary>
public static class RecordView
{
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(false).WithIndentation());

    public static void Json(IAnsiConsole console, IMessage message) => console.Profile.Out.Writer.WriteLine(Formatter.Format(message));

    public static void Student(IAnsiConsole console, W.StudentRecord s, bool revealIdNumber)
    {
        var b = s.Details?.Basic ?? new W.BasicInfo();
        var e = s.Details?.Enrollment ?? new W.Enrollment();
        var table = new Table().AddColumn("field").AddColumn("value");
        void Row(string field, string value)
        {
            if (value.Length > 0)
            {
                table.AddRow(Markup.Escape(field), Markup.Escape(value));
            }
        }
        Row("local_id", s.LocalId);
        Row("national_student_number", s.NationalStudentNumber.Length > 0 ? s.NationalStudentNumber : "(not yet assigned)");
        Row("status", s.Status.ToString());
        Row("version", s.Version.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Row("name", b.Name);
        Row("gender_code", b.GenderCode);
        Row("ethnicity_code", b.EthnicityCode is { Length: > 0 } code ? $"{code} {EthnicityCodes.Name(code)}" : "");
        Row("birth_date", b.BirthDate);
        Row("id_number", revealIdNumber ? b.IdNumber : IdNumber.Mask(b.IdNumber));
        Row("phone", b.Phone);
        Row("household_address", b.HouseholdAddress);
        foreach (var g in b.Guardians)
        {
            Row("guardian", $"{g.Name} ({g.Relation}) {g.Phone}");
        }
        Row("student_number", e.StudentNumber);
        Row("enrollment_date", e.EnrollmentDate);
        Row("grade / class", $"{e.Grade} {e.ClassName}".Trim());
        Row("education_level", e.EducationLevel.ToString());
        Row("study_mode", e.StudyMode.ToString());
        Row("major", e.Major);
        foreach (var a in s.Details?.AwardsAndDiscipline ?? [])
        {
            Row(a.Kind == W.AwardKind.Discipline ? "discipline" : "award", $"{a.Date} {a.Level} {a.Title}{(a.Revoked ? " (revoked " + a.RevokedOn + ")" : "")}");
        }
        foreach (var h in s.StatusHistory)
        {
            Row("history", $"{h.EffectiveDate} {h.Kind}: {h.StatusBefore} → {h.StatusAfter} {h.Reason} {h.Reference}".TrimEnd());
        }
        console.Write(table);
    }

    public static void Students(IAnsiConsole console, IEnumerable<W.StudentRecord> students)
    {
        var table = new Table().AddColumns("local_id", "name", "status", "national_student_number", "grade", "class", "version");
        foreach (var s in students)
        {
            table.AddRow(Markup.Escape(s.LocalId), Markup.Escape(s.Details?.Basic?.Name ?? ""), s.Status.ToString(),
                Markup.Escape(s.NationalStudentNumber), Markup.Escape(s.Details?.Enrollment?.Grade ?? ""),
                Markup.Escape(s.Details?.Enrollment?.ClassName ?? ""), s.Version.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        console.Write(table);
    }
}
