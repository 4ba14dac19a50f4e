using System.CommandLine;
using System.Globalization;
using Grpc.Core;
using RegistryExchange.Cli.Import;
using RegistryExchange.Cli.Output;
using RegistryExchange.Domain.Students;
using Spectre.Console;
using W = RegistryExchange.Contracts.V1;

namespace RegistryExchange.Cli.Commands;

/// <summary>Commands against the authority (<c>--authority URL</c>, client credentials for a token).</summary>
public static class AuthorityCommands
{
    public static IEnumerable<Command> Build(RxContext ctx)
    {
        var authority = new Command("authority", "The authority's view of the calling school (talks to --authority)");
        authority.Add(HighWaterMark(ctx));
        var duplicates = new Command("duplicates", "National duplicate cases (talks to --authority)");
        duplicates.Add(ListDuplicates(ctx));
        duplicates.Add(ResolveDuplicate(ctx));
        return [authority, duplicates, Feed(ctx)];
    }

    /// <summary>The bearer token and, if given, the declared purpose (<c>rx-purpose</c>, kept in the audit log).</summary>
    internal static async Task<Metadata> HeadersAsync(RxContext ctx, ParseResult p, CancellationToken ct)
    {
        var headers = await ctx.BearerAsync(CommandKit.Credentials(p), ct);
        if (p.GetValue(CommandKit.Purpose) is { Length: > 0 } purpose)
        {
            // gRPC metadata values are ASCII; a purpose in Chinese travels percent-encoded.
            headers.Add("rx-purpose", purpose.All(char.IsAscii) ? purpose : Uri.EscapeDataString(purpose));
        }
        return headers;
    }

    internal static CallInvoker Invoker(RxContext ctx, ParseResult p) => ctx.Channel(p.GetValue(CommandKit.Authority)!).CreateCallInvoker();

    private static Command HighWaterMark(RxContext ctx)
    {
        var command = new Command("hwm", "The highest sequence the authority has applied for the calling school (a school agent's credentials)");
        command.Run(ctx, async (p, ct) =>
        {
            var client = new W.SyncService.SyncServiceClient(Invoker(ctx, p));
            var r = await client.GetHighWaterMarkAsync(new W.GetHighWaterMarkRequest(), await HeadersAsync(ctx, p, ct), ctx.Deadline(), ct);
            ctx.Console.MarkupLine($"school {Markup.Escape(r.SchoolCode)}: high-water mark {r.HighWaterMark}");
            return CommandKit.Ok;
        });
        return command;
    }

    private static Command ListDuplicates(RxContext ctx)
    {
        var command = new Command("list", "Open duplicate cases (with --all, resolved ones too)");
        var all = new Option<bool>("--all") { Description = "Include resolved cases" };
        var pageSize = new Option<int>("--page-size") { Description = "How many", DefaultValueFactory = _ => 100 };
        var after = new Option<long>("--after") { Description = "Cases with an id above this" };
        command.Add(all);
        command.Add(pageSize);
        command.Add(after);
        command.Add(CommandKit.Json);
        command.Run(ctx, async (p, ct) =>
        {
            var client = new W.DuplicateCaseService.DuplicateCaseServiceClient(Invoker(ctx, p));
            var request = new W.ListDuplicateCasesRequest { IncludeResolved = p.GetValue(all), PageSize = p.GetValue(pageSize), AfterCaseId = p.GetValue(after) };
            var response = await client.ListDuplicateCasesAsync(request, await HeadersAsync(ctx, p, ct), ctx.Deadline(), ct);
            if (p.GetValue(CommandKit.Json))
            {
                RecordView.Json(ctx.Console, response);
                return CommandKit.Ok;
            }
            var table = new Table().AddColumns("case", "id number", "existing", "existing school", "claiming school", "claiming local id", "state", "resolution");
            foreach (var c in response.Cases)
            {
                table.AddRow(c.CaseId.ToString(CultureInfo.InvariantCulture), Markup.Escape(c.MaskedIdNumber), Markup.Escape(c.ExistingNationalStudentNumber),
                    Markup.Escape(c.ExistingSchoolCode), Markup.Escape(c.ClaimingSchoolCode), Markup.Escape(c.ClaimingLocalId), c.State.ToString(), c.Resolution.ToString());
            }
            ctx.Console.Write(table);
            return CommandKit.Ok;
        });
        return command;
    }

    private static Command ResolveDuplicate(RxContext ctx)
    {
        var names = string.Join(", ", Enum.GetValues<W.DuplicateResolution>().Skip(1).Select(v => StudentColumns.Wire(v).ToLowerInvariant().Replace('_', '-')));
        var command = new Command("resolve", "Resolve a duplicate case: " + names);
        var id = new Argument<long>("case-id") { Description = "The case to resolve" };
        var resolution = new Option<string>("--resolution") { Description = names, Required = true };
        var note = new Option<string>("--note") { Description = "Why; kept with the case" };
        command.Add(id);
        command.Add(resolution);
        command.Add(note);
        command.Run(ctx, async (p, ct) =>
        {
            if (!StatusLifecycle.ParseEnumValue<W.DuplicateResolution>(p.GetValue(resolution)!.Replace('-', '_'), out var r))
            {
                throw new UsageException($"--resolution '{p.GetValue(resolution)}' is not one of {names}.");
            }
            var client = new W.DuplicateCaseService.DuplicateCaseServiceClient(Invoker(ctx, p));
            var request = new W.ResolveDuplicateCaseRequest { CaseId = p.GetValue(id), Resolution = r, Note = p.GetValue(note) ?? "" };
            var response = await client.ResolveDuplicateCaseAsync(request, await HeadersAsync(ctx, p, ct), ctx.Deadline(), ct);
            ctx.Console.MarkupLine($"[green]Case {response.DuplicateCase.CaseId} is {response.DuplicateCase.State}: {response.DuplicateCase.Resolution}[/]");
            return CommandKit.Ok;
        });
        return command;
    }

    private static Command Feed(RxContext ctx)
    {
        var command = new Command("feed", "Print the authority's change feed from a version (talks to --authority)");
        var from = new Option<long>("--from") { Description = "Entries after this version; 0 from the start", DefaultValueFactory = _ => 0 };
        var follow = new Option<bool>("--follow") { Description = "Keep the stream open for new entries (Ctrl-C to stop)" };
        command.Add(from);
        command.Add(follow);
        command.Add(CommandKit.Json);
        command.Run(ctx, async (p, ct) =>
        {
            var client = new W.ChangeFeedService.ChangeFeedServiceClient(Invoker(ctx, p));
            var request = new W.SubscribeChangesRequest { AfterVersion = p.GetValue(from), Follow = p.GetValue(follow) };
            // A followed stream is meant to stay open, but not forever.
            var deadline = request.Follow ? ctx.Time.GetUtcNow().UtcDateTime + RxContext.MaxFollow : ctx.Deadline();
            using var call = client.SubscribeChanges(request, await HeadersAsync(ctx, p, ct), deadline, ct);
            var count = 0;
            try
            {
                while (await call.ResponseStream.MoveNext(ct))
                {
                    foreach (var e in call.ResponseStream.Current.Entries)
                    {
                        count++;
                        if (p.GetValue(CommandKit.Json))
                        {
                            RecordView.Json(ctx.Console, e);
                        }
                        else
                        {
                            ctx.Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                                $"{e.Version}\t{e.Kind}\t{e.NationalStudentNumber}\t{e.SchoolCode}\t{e.StatusAfter}{(e.RecordEnded ? "\tended" : "")}"));
                        }
                    }
                }
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && ct.IsCancellationRequested)
            {
                // Ctrl-C while following.
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.DeadlineExceeded && request.Follow)
            {
                ctx.Console.MarkupLine($"[grey]Stopped following after {RxContext.MaxFollow.TotalHours} hours; resume with --from the last version.[/]");
            }
            ctx.Console.MarkupLine($"{count} entr{(count == 1 ? "y" : "ies")}");
            return CommandKit.Ok;
        });
        return command;
    }
}
