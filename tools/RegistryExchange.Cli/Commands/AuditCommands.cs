using System.CommandLine;
using System.Globalization;
using RegistryExchange.Cli.Output;
using Spectre.Console;
using W = RegistryExchange.Contracts.V1;

namespace RegistryExchange.Cli.Commands;

/// <summary><c>rx audit ...</c>: the authority's tamper-evident access log (staff, scope <c>audit</c>).</summary>
public static class AuditCommands
{
    public static Command Build(RxContext ctx)
    {
        var audit = new Command("audit", "Verify the authority's access log and ask who accessed a record (talks to --authority)");
        audit.Add(Verify(ctx));
        audit.Add(Student(ctx));
        return audit;
    }

    private static W.AuditService.AuditServiceClient Client(RxContext ctx, ParseResult p) => new(AuthorityCommands.Invoker(ctx, p));

    private static Command Verify(RxContext ctx)
    {
        var command = new Command("verify", "Recompute the hash chain and check every signed checkpoint; names the first broken entry (exit 1 if any)");
        command.Add(CommandKit.Json);
        command.Run(ctx, async (p, ct) =>
        {
            // Verifying a long log takes a while: a longer deadline than other calls.
            var deadline = ctx.Time.GetUtcNow().UtcDateTime + TimeSpan.FromMinutes(10);
            var r = await Client(ctx, p).VerifyAuditLogAsync(new W.VerifyAuditLogRequest(), await AuthorityCommands.HeadersAsync(ctx, p, ct), deadline, ct);
            if (p.GetValue(CommandKit.Json))
            {
                RecordView.Json(ctx.Console, r);
            }
            else if (r.Intact)
            {
                ctx.Console.MarkupLine($"[green]The audit log is intact:[/] {r.EntriesChecked} entries and {r.CheckpointsChecked} signed checkpoints checked; newest checkpoint at entry {r.LastCheckpointSequence}.");
            }
            else
            {
                ctx.Console.MarkupLine($"[red]The audit log has been tampered with:[/] entry {r.FirstBadSequence} is {Problem(r.Problem)}.");
                if (r.Message.Length > 0)
                {
                    ctx.Console.MarkupLine("  " + Markup.Escape(r.Message));
                }
                ctx.Console.MarkupLine($"  {r.EntriesChecked} entries and {r.CheckpointsChecked} checkpoints checked.");
            }
            return r.Intact ? CommandKit.Ok : CommandKit.Failed;
        });
        return command;
    }

    private static Command Student(RxContext ctx)
    {
        var command = new Command("student", "Who accessed this student's record, newest first");
        var number = new Argument<string>("national-number") { Description = "The national student number (学籍号)" };
        var pageSize = new Option<int>("--page-size") { Description = "How many entries", DefaultValueFactory = _ => 50 };
        var before = new Option<ulong>("--before") { Description = "Entries below this sequence (the next page)" };
        command.Add(number);
        command.Add(pageSize);
        command.Add(before);
        command.Add(CommandKit.Json);
        command.Run(ctx, async (p, ct) =>
        {
            var request = new W.ListStudentAccessRequest { NationalStudentNumber = p.GetValue(number)!.Trim(), PageSize = p.GetValue(pageSize), BeforeSequence = p.GetValue(before) };
            var response = await Client(ctx, p).ListStudentAccessAsync(request, await AuthorityCommands.HeadersAsync(ctx, p, ct), ctx.Deadline(), ct);
            if (p.GetValue(CommandKit.Json))
            {
                RecordView.Json(ctx.Console, response);
                return CommandKit.Ok;
            }
            var table = new Table().AddColumns("entry", "when", "client", "kind", "school", "action", "purpose", "detail");
            foreach (var e in response.Entries)
            {
                table.AddRow(e.Sequence.ToString(CultureInfo.InvariantCulture),
                    e.RecordedAt?.ToDateTimeOffset().ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "",
                    Markup.Escape(e.ActorClientId), Markup.Escape(e.ActorKind), Markup.Escape(e.ActorSchoolCode), Markup.Escape(e.Action),
                    Markup.Escape(e.Purpose), Markup.Escape(e.Detail));
            }
            ctx.Console.Write(table);
            ctx.Console.MarkupLine($"{response.Entries.Count} access(es) of {Markup.Escape(request.NationalStudentNumber)}" +
                (response.Entries.Count > 0 && response.Entries.Count == request.PageSize ? $"; next page: --before {response.Entries[^1].Sequence}" : ""));
            return CommandKit.Ok;
        });
        return command;
    }

    private static string Problem(W.AuditProblem problem) => problem switch
    {
        W.AuditProblem.Edited => "edited (its content no longer matches its hash)",
        W.AuditProblem.Deleted => "preceded by a deleted entry",
        W.AuditProblem.Reordered => "out of order (it does not follow the entry before it)",
        W.AuditProblem.CheckpointMismatch => "past a signed checkpoint that no longer matches the chain (the chain was recomputed after an edit)",
        W.AuditProblem.BadCheckpointSignature => "covered by a checkpoint whose signature does not verify",
        _ => problem.ToString(),
    };
}
