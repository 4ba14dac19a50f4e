using System.CommandLine;
using System.Globalization;
using RegistryExchange.Cli.Output;
using Spectre.Console;
using W = RegistryExchange.Contracts.V1;

namespace RegistryExchange.Cli.Commands;

/// <summary><c>rx sync ...</c>: how far the agent's push has come, and what the authority refused.</summary>
public static class SyncCommands
{
    public static Command Build(RxContext ctx)
    {
        var sync = new Command("sync", "The agent's upward sync (talks to --agent)");
        sync.Add(Status(ctx));
        sync.Add(Rejections(ctx));
        return sync;
    }

    private static Command Status(RxContext ctx)
    {
        var command = new Command("status", "Local sequence, the authority's high-water mark, pending and rejected changes");
        command.Add(CommandKit.Json);
        command.Run(ctx, async (p, ct) =>
        {
            var s = await (await AgentClient.CreateAsync(ctx, p, ct)).GetSyncStatusAsync(new W.GetSyncStatusRequest(), deadline: ctx.Deadline(), cancellationToken: ct);
            if (p.GetValue(CommandKit.Json))
            {
                RecordView.Json(ctx.Console, s);
                return CommandKit.Ok;
            }
            var table = new Table().AddColumn("").AddColumn("");
            table.AddRow("school", Markup.Escape(s.SchoolCode));
            table.AddRow("last local sequence", s.LastLocalSequence.ToString(CultureInfo.InvariantCulture));
            table.AddRow("authority high-water mark", s.AuthorityHighWaterMark.ToString(CultureInfo.InvariantCulture));
            table.AddRow("pending changes", s.PendingChanges.ToString(CultureInfo.InvariantCulture));
            table.AddRow("rejected changes", s.RejectedChanges.ToString(CultureInfo.InvariantCulture));
            table.AddRow("last push", s.LastPushAt is null ? "never" : s.LastPushAt.ToDateTimeOffset().ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));
            table.AddRow("last error", Markup.Escape(s.LastError.Length > 0 ? s.LastError : "none"));
            ctx.Console.Write(table);
            return CommandKit.Ok;
        });
        return command;
    }

    private static Command Rejections(RxContext ctx)
    {
        var command = new Command("rejections", "Changes the authority rejected, newest first");
        var pageSize = new Option<int>("--page-size") { Description = "How many", DefaultValueFactory = _ => 50 };
        var before = new Option<ulong>("--before") { Description = "Only rejections with a sequence below this" };
        command.Add(pageSize);
        command.Add(before);
        command.Add(CommandKit.Json);
        command.Run(ctx, async (p, ct) =>
        {
            var request = new W.ListPushRejectionsRequest { PageSize = p.GetValue(pageSize), BeforeSequence = p.GetValue(before) };
            var response = await (await AgentClient.CreateAsync(ctx, p, ct)).ListPushRejectionsAsync(request, deadline: ctx.Deadline(), cancellationToken: ct);
            if (p.GetValue(CommandKit.Json))
            {
                RecordView.Json(ctx.Console, response);
                return CommandKit.Ok;
            }
            var table = new Table().AddColumns("sequence", "local_id", "reason", "message", "recorded");
            foreach (var r in response.RejectedChanges)
            {
                table.AddRow(r.Sequence.ToString(CultureInfo.InvariantCulture), Markup.Escape(r.StudentLocalId),
                    r.Result.RejectionReason.ToString(), Markup.Escape(r.Result.Message),
                    r.Result.AppliedAt?.ToDateTimeOffset().ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "");
            }
            ctx.Console.Write(table);
            ctx.Console.MarkupLine($"{response.RejectedChanges.Count} rejected change(s)");
            return CommandKit.Ok;
        });
        return command;
    }
}
