using MiniExcelLibs;
using Microsoft.EntityFrameworkCore;
using RegistryExchange.Agent.Tests.Support;
using RegistryExchange.Cli.Import;
using RegistryExchange.Cli.Sample;
using RegistryExchange.Domain.Validation;
using RegistryExchange.SampleData;
using W = RegistryExchange.Contracts.V1;

namespace RegistryExchange.Agent.Tests;

public sealed class CliTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly AgentHost _agent;
    private readonly CliRunner _rx;

    public CliTests()
    {
        _agent = new AgentHost(_dir.File("school.db"));
        _rx = new CliRunner(_agent);
    }

    public void Dispose()
    {
        _agent.Dispose();
        _dir.Dispose();
    }

    private static List<Dictionary<string, string>> SampleRows(int count, int seed = 5) =>
        [.. new SampleStudents(seed, "110105", Students.Today).Generate(count).Select(s => StudentColumns.ToValues(s.LocalId, s.Details))];

    [Fact]
    public async Task Import_of_a_csv_with_bad_rows_reports_exactly_those_rows_and_fields_and_creates_the_rest()
    {
        var rows = SampleRows(10);
        rows[2]["id_number"] = rows[2]["id_number"][..17] + (rows[2]["id_number"][17] == '1' ? "2" : "1"); // file row 4
        rows[5]["birth_date"] = "2015-02-30";                                                                 // file row 7
        rows[5]["name"] = "";
        rows[8]["education_level"] = "幼儿园";                                                                 // file row 10
        var file = _dir.File("students.csv");
        SampleCommand.WriteCsv(file, rows);
        var errors = _dir.File("errors.csv");

        var (exit, output) = await _rx.RunAsync("students", "import", file, "--errors", errors);

        Assert.Equal(1, exit);
        Assert.Contains("7 of 10 rows created, 3 failed", output, StringComparison.Ordinal);
        var reported = File.ReadAllLines(errors).Skip(1).Select(l => string.Join(',', l.Split(',').Take(2))).Order().ToList();
        Assert.Equal(["10,education_level", "4,id_number", "7,birth_date", "7,name"], reported);
        Assert.Equal(7, await _agent.QueryAsync(db => db.Students.CountAsync()));
        Assert.Equal(7, (await _agent.OutboxAsync()).Count);
    }

    [Fact]
    public async Task Import_of_an_xlsx_with_chinese_headers_reads_codes_names_and_dates()
    {
        var students = new SampleStudents(9, "110105", Students.Today).Generate(3).ToList();
        var sheet = students.Select((s, i) => new Dictionary<string, object>
        {
            ["学号"] = s.Details.Enrollment.StudentNumber,
            ["姓名"] = i == 0 ? "张𠮷" : s.Details.Basic.Name,
            ["性别"] = s.Details.Basic.GenderCode == "1" ? "男" : "女",
            ["民族"] = "汉族",
            ["出生日期"] = DateTime.Parse(s.Details.Basic.BirthDate, System.Globalization.CultureInfo.InvariantCulture),
            ["身份证号"] = i == 2 ? "11010519491231002X" : s.Details.Basic.IdNumber,
            ["入学日期"] = s.Details.Enrollment.EnrollmentDate.Replace('-', '/'),
            ["年级"] = s.Details.Enrollment.Grade,
            ["班级"] = s.Details.Enrollment.ClassName,
            ["学历层次"] = "初中",
        }).ToList();
        var file = _dir.File("名册.xlsx");
        MiniExcel.SaveAs(file, sheet);

        var (exit, output) = await _rx.RunAsync("students", "import", file);

        Assert.Equal(1, exit);
        Assert.Contains("2 of 3 rows created, 1 failed", output, StringComparison.Ordinal);
        Assert.Matches(@"│\s*4\s*│\s*身份证号\s*│", output);
        var listed = await _agent.Client().ListStudentsAsync(new W.ListStudentsRequest());
        Assert.Contains(listed.Students, s => s.Details.Basic.Name == "张𠮷" && s.Details.Basic.EthnicityCode == "01"
            && s.Details.Enrollment.EducationLevel == W.EducationLevel.JuniorSecondary);
    }

    [Fact]
    public async Task Sample_students_import_without_a_single_error()
    {
        var file = _dir.File("sample.csv");
        var (sampleExit, _) = await _rx.RunAsync("sample", "students", "--count", "300", "--out", file, "--seed", "3");

        var (exit, output) = await _rx.RunAsync("students", "import", file, "--batch-size", "70");

        Assert.Equal(0, sampleExit);
        Assert.Equal(0, exit);
        Assert.Contains("300 of 300 rows created, 0 failed", output, StringComparison.Ordinal);
        Assert.Equal(Enumerable.Range(1, 300).Select(i => (long)i), (await _agent.OutboxAsync()).Select(o => o.Sequence));
    }

    [Fact]
    public async Task A_validation_error_prints_the_status_and_every_field_violation()
    {
        var (exit, output) = await _rx.RunAsync("students", "add", "--name", "李雷", "--gender", "男", "--ethnicity", "01",
            "--birth-date", "2012-02-30", "--id-number", "110105201202300011", "--enrollment-date", "2024-09-01", "--education-level", "初中");

        Assert.Equal(1, exit);
        Assert.Contains("InvalidArgument (3)", output, StringComparison.Ordinal);
        Assert.Contains("details.basic.birth_date", output, StringComparison.Ordinal);
        Assert.Contains("details.basic.id_number", output, StringComparison.Ordinal);
        Assert.Empty(await _agent.OutboxAsync());
    }

    [Fact]
    public async Task A_student_added_and_changed_through_the_cli_has_its_history()
    {
        var (addExit, addOutput) = await _rx.RunAsync("students", "add", "--local-id", "li-lei", "--name", "李雷", "--gender", "男", "--ethnicity", "汉",
            "--birth-date", "1949/12/31", "--id-number", "110105194912310038", "--enrollment-date", "2024-09-01", "--education-level", "本科",
            "--degree-type", "学术学位", "--major", "物理");
        var (statusExit, _) = await _rx.RunAsync("students", "status", "li-lei", "--kind", "suspend", "--date", "2025-03-01", "--reason", "病休");
        var (getExit, json) = await _rx.RunAsync("students", "get", "li-lei", "--json");

        Assert.True(addExit == 0, addOutput);
        Assert.Equal(0, statusExit);
        Assert.Equal(0, getExit);
        var record = W.StudentRecord.Parser.WithDiscardUnknownFields(true).ParseJson(json);
        Assert.Equal(W.StudentStatus.Suspended, record.Status);
        Assert.Equal([W.StatusEventKind.Enroll, W.StatusEventKind.Suspend], record.StatusHistory.Select(h => h.Kind));
        Assert.Equal("1949-12-31", record.Details.Basic.BirthDate);
    }

    [Fact]
    public async Task An_illegal_transition_prints_the_reason_and_fails()
    {
        var s = Students.Sample(1)[0];
        await _agent.Client().CreateStudentAsync(new W.CreateStudentRequest { LocalId = s.LocalId, Details = s.Details });

        var (exit, output) = await _rx.RunAsync("students", "status", s.LocalId, "--kind", "resume", "--reason", "复学");

        Assert.Equal(1, exit);
        Assert.Contains("FailedPrecondition (9)", output, StringComparison.Ordinal);
        Assert.Contains("ILLEGAL_TRANSITION", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_required_option_is_a_usage_error()
    {
        var (exit, output) = await _rx.RunAsync("students", "status", "someone");

        Assert.NotEqual(0, exit);
        Assert.Contains("--kind", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_status_kind_is_a_usage_error_that_lists_the_kinds()
    {
        var (exit, output) = await _rx.RunAsync("students", "status", "someone", "--kind", "expel");

        Assert.Equal(2, exit);
        Assert.Contains("suspend", output, StringComparison.Ordinal);
        Assert.Contains("restore", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Generated_students_are_valid_unique_and_include_rare_characters()
    {
        var students = new SampleStudents(42, "110105", Students.Today).Generate(5000).ToList();

        Assert.All(students, s => Assert.Empty(StudentDetailsValidator.Validate(s.Details, Students.Today)));
        var ids = students.Select(s => s.Details.Basic.IdNumber).Where(id => id.Length > 0).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Contains(students, s => s.Details.Basic.Name.EnumerateRunes().Any(r => r.Value > 0xFFFF));
        Assert.Contains(students, s => s.Details.AwardsAndDiscipline.Count > 0);
        Assert.Contains(students, s => s.Details.Basic.IdNumber.Length == 0);
        Assert.Equal(students.Select(s => s.Details), new SampleStudents(42, "110105", Students.Today).Generate(5000).Select(s => s.Details),
            new DetailsByValue());
    }

    /// <summary>Records hold lists, so compare their wire form.</summary>
    private sealed class DetailsByValue : IEqualityComparer<Domain.Students.StudentDetails>
    {
        public bool Equals(Domain.Students.StudentDetails? x, Domain.Students.StudentDetails? y) =>
            Protocol.DetailsMapping.ToWire(x!).Equals(Protocol.DetailsMapping.ToWire(y!));

        public int GetHashCode(Domain.Students.StudentDetails obj) => Protocol.DetailsMapping.ToWire(obj).GetHashCode();
    }
}
