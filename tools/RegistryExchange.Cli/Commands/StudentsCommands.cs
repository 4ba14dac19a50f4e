using System.CommandLine;
using RegistryExchange.Cli.Import;
using RegistryExchange.Cli.Output;
using RegistryExchange.Domain.Codes;
using RegistryExchange.Domain.Students;
using Spectre.Console;
using W = RegistryExchange.Contracts.V1;

namespace RegistryExchange.Cli.Commands;

/// <summary><c>rx students ...</c>: the school's register through its agent.</summary>
public static class StudentsCommands
{
    public static Command Build(RxContext ctx)
    {
        var students = new Command("students", "Create, change, list and import the school's students (talks to --agent)");
        students.Add(Add(ctx));
        students.Add(Update(ctx));
        students.Add(Status(ctx));
        students.Add(Get(ctx));
        students.Add(List(ctx));
        students.Add(ImportCommand.Build(ctx));
        return students;
    }

    /// <summary>One option per file column, so flags and import files speak the same language.</summary>
    private static Dictionary<string, Option<string>> AddColumnOptions(Command command, bool includeLocalId)
    {
        var options = new Dictionary<string, Option<string>>(StringComparer.Ordinal);
        foreach (var column in StudentColumns.All.Where(c => includeLocalId || c.Name != "local_id"))
        {
            var aliases = column.Aliases.Where(a => a.All(char.IsAscii)).Select(Flag).ToArray();
            var chinese = column.Aliases.Where(a => !a.All(char.IsAscii)).ToArray();
            var option = new Option<string>(Flag(column.Name), aliases)
            {
                Description = chinese.Length > 0 ? $"{column.Name} ({string.Join(" / ", chinese)})" : column.Name,
            };
            command.Add(option);
            options[column.Name] = option;
        }
        return options;
    }

    private static string Flag(string name) => "--" + name.Replace('_', '-');

    private static Dictionary<string, string> Values(ParseResult p, Dictionary<string, Option<string>> options) =>
        options.Select(o => (o.Key, Value: p.GetValue(o.Value))).Where(x => x.Value is not null)
            .ToDictionary(x => x.Key, x => x.Value!, StringComparer.Ordinal);

    private static W.StudentDetails Build(W.StudentDetails details, Dictionary<string, string> values)
    {
        var problems = StudentColumns.Apply(details, values);
        if (problems.Count > 0)
        {
            throw new UsageException(string.Join("; ", problems.Select(x => $"{Flag(x.Column)}: {x.Problem}")));
        }
        StudentColumns.ApplyDefaults(details);
        return details;
    }

    private static Command Add(RxContext ctx)
    {
        var command = new Command("add", "Register a new student (学籍建立)");
        var columns = AddColumnOptions(command, includeLocalId: true);
        var effective = new Option<string>("--effective-date") { Description = "Date of the enrolment event (default: enrollment date)" };
        var reason = new Option<string>("--reason") { Description = "Reason recorded with the enrolment" };
        var reference = new Option<string>("--reference") { Description = "Supporting material, e.g. a decision number" };
        command.Add(effective);
        command.Add(reason);
        command.Add(reference);
        command.Add(CommandKit.Json);
        command.Run(ctx, async (p, ct) =>
        {
            var values = Values(p, columns);
            var request = new W.CreateStudentRequest
            {
                Details = Build(new W.StudentDetails(), values),
                LocalId = values.GetValueOrDefault("local_id", "").Trim(),
                EffectiveDate = StudentColumns.Date(p.GetValue(effective) ?? ""),
                Reason = p.GetValue(reason) ?? "",
                Reference = p.GetValue(reference) ?? "",
            };
            var response = await (await AgentClient.CreateAsync(ctx, p, ct)).CreateStudentAsync(request, deadline: ctx.Deadline(), cancellationToken: ct);
            return Show(ctx, p, response.Student, $"Created student {response.Student.LocalId}");
        });
        return command;
    }

    private static Command Update(RxContext ctx)
    {
        var command = new Command("update", "Change a student's details; only the given fields change");
        var localId = new Argument<string>("local-id") { Description = "The student's local id" };
        command.Add(localId);
        var columns = AddColumnOptions(command, includeLocalId: false);
        command.Add(CommandKit.Json);
        command.Run(ctx, async (p, ct) =>
        {
            var client = await AgentClient.CreateAsync(ctx, p, ct);
            var id = p.GetValue(localId)!;
            var current = (await client.GetStudentAsync(new W.GetStudentRequest { LocalId = id }, deadline: ctx.Deadline(), cancellationToken: ct)).Student;
            var values = Values(p, columns);
            if (values.Count == 0)
            {
                throw new UsageException("Give at least one field to change, e.g. --class-name 3班.");
            }
            var request = new W.UpdateStudentRequest { LocalId = id, Details = Build(current.Details.Clone(), values), ExpectedVersion = current.Version };
            var response = await client.UpdateStudentAsync(request, deadline: ctx.Deadline(), cancellationToken: ct);
            return Show(ctx, p, response.Student, $"Updated student {id} to version {response.Student.Version}");
        });
        return command;
    }

    private static Command Status(RxContext ctx)
    {
        var kinds = string.Join(", ", Enum.GetValues<StatusEventKind>().Skip(2).Select(k => StudentColumns.Wire(k).ToLowerInvariant().Replace('_', '-')));
        var command = new Command("status", "Record a status change (学籍异动): " + kinds);
        var localId = new Argument<string>("local-id") { Description = "The student's local id" };
        var kind = new Option<string>("--kind") { Description = "One of " + kinds, Required = true };
        var date = new Option<string>("--date") { Description = "Effective date, YYYY-MM-DD (default: today)" };
        var reason = new Option<string>("--reason") { Description = "Why (required by the rules)" };
        var reference = new Option<string>("--reference") { Description = "Supporting material, e.g. a decision number" };
        var newValue = new Option<string>("--new-value") { Description = "New major / study mode / education level / degree type for the change-* kinds" };
        command.Add(localId);
        command.Add(kind);
        command.Add(date);
        command.Add(reason);
        command.Add(reference);
        command.Add(newValue);
        command.Add(CommandKit.Json);
        command.Run(ctx, async (p, ct) =>
        {
            if (!StatusLifecycle.ParseEnumValue<StatusEventKind>(p.GetValue(kind)!.Replace('-', '_'), out var k))
            {
                throw new UsageException($"--kind '{p.GetValue(kind)}' is not one of {kinds}.");
            }
            var today = DateOnly.FromDateTime(ctx.Time.GetLocalNow().DateTime);
            var request = new W.ChangeStudentStatusRequest
            {
                LocalId = p.GetValue(localId)!,
                Event = new W.StatusChanged
                {
                    Kind = (W.StatusEventKind)k,
                    EffectiveDate = StudentColumns.Date(p.GetValue(date) ?? CalendarDate.Format(today)),
                    Reason = p.GetValue(reason) ?? "",
                    Reference = p.GetValue(reference) ?? "",
                    NewValue = p.GetValue(newValue) ?? "",
                },
            };
            var response = await (await AgentClient.CreateAsync(ctx, p, ct)).ChangeStudentStatusAsync(request, deadline: ctx.Deadline(), cancellationToken: ct);
            return Show(ctx, p, response.Student, $"Student {request.LocalId} is now {response.Student.Status}");
        });
        return command;
    }

    private static Command Get(RxContext ctx)
    {
        var command = new Command("get", "Show one student with its history");
        var localId = new Argument<string>("local-id") { Description = "The student's local id" };
        var reveal = new Option<bool>("--show-id-number") { Description = "Print the full ID number (masked by default)" };
        command.Add(localId);
        command.Add(reveal);
        command.Add(CommandKit.Json);
        command.Run(ctx, async (p, ct) =>
        {
            var response = await (await AgentClient.CreateAsync(ctx, p, ct)).GetStudentAsync(new W.GetStudentRequest { LocalId = p.GetValue(localId)! }, deadline: ctx.Deadline(), cancellationToken: ct);
            if (p.GetValue(CommandKit.Json))
            {
                RecordView.Json(ctx.Console, response.Student);
            }
            else
            {
                RecordView.Student(ctx.Console, response.Student, p.GetValue(reveal));
            }
            return CommandKit.Ok;
        });
        return command;
    }

    private static Command List(RxContext ctx)
    {
        var command = new Command("list", "List students by local id");
        var status = new Option<string>("--status") { Description = "Only students with this status: enrolled, suspended, withdrawn, graduated, deceased, cancelled" };
        var pageSize = new Option<int>("--page-size") { Description = "Students per page", DefaultValueFactory = _ => 50 };
        var after = new Option<string>("--after") { Description = "Start after this local id" };
        var all = new Option<bool>("--all") { Description = "Follow pages to the end" };
        command.Add(status);
        command.Add(pageSize);
        command.Add(after);
        command.Add(all);
        command.Add(CommandKit.Json);
        command.Run(ctx, async (p, ct) =>
        {
            var filter = W.StudentStatus.Unspecified;
            if (p.GetValue(status) is { } s)
            {
                filter = StatusLifecycle.ParseEnumValue<StudentStatus>(s, out var parsed)
                    ? (W.StudentStatus)parsed
                    : throw new UsageException($"--status '{s}' is not a student status.");
            }
            var request = new W.ListStudentsRequest { PageSize = p.GetValue(pageSize), AfterLocalId = p.GetValue(after) ?? "", Status = filter };
            var client = await AgentClient.CreateAsync(ctx, p, ct);
            var found = new List<W.StudentRecord>();
            while (true)
            {
                var page = await client.ListStudentsAsync(request, deadline: ctx.Deadline(), cancellationToken: ct);
                found.AddRange(page.Students);
                if (!p.GetValue(all) || page.Students.Count < request.PageSize || page.Students.Count == 0)
                {
                    break;
                }
                request.AfterLocalId = page.Students[^1].LocalId;
            }
            if (p.GetValue(CommandKit.Json))
            {
                var response = new W.ListStudentsResponse();
                response.Students.AddRange(found);
                RecordView.Json(ctx.Console, response);
            }
            else
            {
                RecordView.Students(ctx.Console, found);
                ctx.Console.MarkupLine($"{found.Count} student(s){(found.Count > 0 && !p.GetValue(all) ? $"; next page: --after {Markup.Escape(found[^1].LocalId)}" : "")}");
            }
            return CommandKit.Ok;
        });
        return command;
    }

    private static int Show(RxContext ctx, ParseResult p, W.StudentRecord student, string summary)
    {
        if (p.GetValue(CommandKit.Json))
        {
            RecordView.Json(ctx.Console, student);
        }
        else
        {
            ctx.Console.MarkupLine($"[green]{Markup.Escape(summary)}[/]");
            RecordView.Student(ctx.Console, student, revealIdNumber: false);
        }
        return CommandKit.Ok;
    }
}
