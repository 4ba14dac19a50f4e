using System.CommandLine;
using System.Globalization;
using RegistryExchange.Cli.Output;
using Spectre.Console;
using W = RegistryExchange.Contracts.V1;

namespace RegistryExchange.Cli.Commands;

/// <summary><c>rx clients ...</c>: staff manage the token server's clients (scope <c>admin</c>).</summary>
public static class ClientsCommands
{
    public static Command Build(RxContext ctx)
    {
        var clients = new Command("clients", "Register, list, rotate and disable the authority's OAuth clients (staff; talks to --authority)");
        clients.Add(RegisterSchool(ctx));
        clients.Add(RegisterEmployer(ctx));
        clients.Add(Register(ctx));
        clients.Add(RotateSecret(ctx));
        clients.Add(List(ctx));
        clients.Add(Disable(ctx));
        return clients;
    }

    private static W.ClientAdminService.ClientAdminServiceClient Client(RxContext ctx, ParseResult p) => new(AuthorityCommands.Invoker(ctx, p));

    private static Option<FileInfo> JwksOption() => new("--jwks-file")
    {
        Description = "A public JSON Web Key Set (file): the client may then authenticate with a signed assertion (private_key_jwt) instead of its secret",
    };

    private static string ReadJwks(ParseResult p, Option<FileInfo> option) =>
        p.GetValue(option) is { } file ? File.ReadAllText(file.FullName) : "";

    private static Command RegisterSchool(RxContext ctx)
    {
        var command = new Command("register-school", "Register a school (if new) and create its agent's client; prints the agent's credentials once");
        var code = new Option<string>("--code") { Description = "School code: 1-32 letters, digits, '-' or '_'", Required = true };
        var name = new Option<string>("--name") { Description = "The school's name", Required = true };
        var region = new Option<string>("--region") { Description = "Six-digit GB/T 2260 region code", Required = true };
        var jwks = JwksOption();
        command.Add(code);
        command.Add(name);
        command.Add(region);
        command.Add(jwks);
        command.Run(ctx, async (p, ct) =>
        {
            var request = new W.RegisterSchoolRequest
            {
                SchoolCode = p.GetValue(code)!.Trim(), Name = p.GetValue(name)!.Trim(), RegionCode = p.GetValue(region)!.Trim(), JsonWebKeySet = ReadJwks(p, jwks),
            };
            var response = await Client(ctx, p).RegisterSchoolAsync(request, await AuthorityCommands.HeadersAsync(ctx, p, ct), ctx.Deadline(), ct);
            ctx.Console.MarkupLine(response.SchoolCreated
                ? $"[green]School {Markup.Escape(request.SchoolCode)} registered[/] with an agent client."
                : $"[green]New agent client for school {Markup.Escape(request.SchoolCode)}[/] (the school was already registered).");
            PrintCredentials(ctx.Console, response.Client, response.Credentials);
            ctx.Console.MarkupLine("Give the agent: [bold]Authority:ClientId[/], [bold]Authority:ClientSecret[/] and [bold]Authority:TokenEndpoint[/] (see docs/agent.md).");
            return CommandKit.Ok;
        });
        return command;
    }

    private static Command RegisterEmployer(RxContext ctx)
    {
        var command = new Command("register-employer", "Create a client for an employer (verify only); prints its credentials once");
        var name = new Option<string>("--name") { Description = "The organisation's name", Required = true };
        var organisation = new Option<string>("--organisation-code") { Description = "Unified social credit code (统一社会信用代码), 18 characters" };
        var jwks = JwksOption();
        command.Add(name);
        command.Add(organisation);
        command.Add(jwks);
        command.Run(ctx, async (p, ct) =>
        {
            var request = new W.RegisterEmployerRequest
            {
                DisplayName = p.GetValue(name)!.Trim(), OrganisationCode = p.GetValue(organisation)?.Trim() ?? "", JsonWebKeySet = ReadJwks(p, jwks),
            };
            var response = await Client(ctx, p).RegisterEmployerAsync(request, await AuthorityCommands.HeadersAsync(ctx, p, ct), ctx.Deadline(), ct);
            ctx.Console.MarkupLine($"[green]Employer {Markup.Escape(request.DisplayName)} registered.[/]");
            PrintCredentials(ctx.Console, response.Client, response.Credentials);
            return CommandKit.Ok;
        });
        return command;
    }

    private static Command Register(RxContext ctx)
    {
        var command = new Command("register", "Create a client for authority staff or a feed consumer; prints its credentials once");
        var kind = new Option<string>("--kind") { Description = "staff or feed", Required = true };
        var name = new Option<string>("--name") { Description = "Who or what uses it, e.g. a person's name or a system", Required = true };
        var jwks = JwksOption();
        command.Add(kind);
        command.Add(name);
        command.Add(jwks);
        command.Run(ctx, async (p, ct) =>
        {
            var request = new W.RegisterClientRequest
            {
                Kind = ParseKind(p.GetValue(kind)!, allowed: [W.ClientKind.Staff, W.ClientKind.FeedConsumer]), DisplayName = p.GetValue(name)!.Trim(), JsonWebKeySet = ReadJwks(p, jwks),
            };
            var response = await Client(ctx, p).RegisterClientAsync(request, await AuthorityCommands.HeadersAsync(ctx, p, ct), ctx.Deadline(), ct);
            ctx.Console.MarkupLine($"[green]{KindName(request.Kind)} client {Markup.Escape(request.DisplayName)} registered.[/]");
            PrintCredentials(ctx.Console, response.Client, response.Credentials);
            return CommandKit.Ok;
        });
        return command;
    }

    private static Command RotateSecret(RxContext ctx)
    {
        var command = new Command("rotate-secret", "Give a client a new secret; the old one stops working at once. Prints the new secret once");
        var id = new Argument<string>("client-id") { Description = "The client whose secret to replace" };
        command.Add(id);
        command.Run(ctx, async (p, ct) =>
        {
            var response = await Client(ctx, p).RotateClientSecretAsync(new W.RotateClientSecretRequest { ClientId = p.GetValue(id)!.Trim() },
                await AuthorityCommands.HeadersAsync(ctx, p, ct), ctx.Deadline(), ct);
            ctx.Console.MarkupLine($"[green]New secret for {Markup.Escape(response.Client.ClientId)}[/]; the old one no longer works.");
            PrintCredentials(ctx.Console, response.Client, response.Credentials);
            return CommandKit.Ok;
        });
        return command;
    }

    private static Command List(RxContext ctx)
    {
        var command = new Command("list", "The clients (never their secrets)");
        var kind = new Option<string>("--kind") { Description = "Only this kind: school, employer, staff or feed" };
        var all = new Option<bool>("--all") { Description = "Include disabled clients" };
        command.Add(kind);
        command.Add(all);
        command.Add(CommandKit.Json);
        command.Run(ctx, async (p, ct) =>
        {
            var request = new W.ListClientsRequest
            {
                Kind = p.GetValue(kind) is { } k ? ParseKind(k, allowed: null) : W.ClientKind.Unspecified,
                IncludeDisabled = p.GetValue(all),
            };
            var response = await Client(ctx, p).ListClientsAsync(request, await AuthorityCommands.HeadersAsync(ctx, p, ct), ctx.Deadline(), ct);
            if (p.GetValue(CommandKit.Json))
            {
                RecordView.Json(ctx.Console, response);
                return CommandKit.Ok;
            }
            var table = new Table().AddColumns("client id", "kind", "name", "school", "scopes", "state", "created", "secret rotated");
            foreach (var c in response.Clients)
            {
                table.AddRow(Markup.Escape(c.ClientId), KindName(c.Kind), Markup.Escape(c.DisplayName), Markup.Escape(c.SchoolCode),
                    Markup.Escape(string.Join(' ', c.Scopes)), c.Disabled ? "[red]disabled[/]" : "active", When(c.CreatedAt), When(c.SecretRotatedAt));
            }
            ctx.Console.Write(table);
            ctx.Console.MarkupLine($"{response.Clients.Count} client(s)");
            return CommandKit.Ok;
        });
        return command;
    }

    private static Command Disable(RxContext ctx)
    {
        var command = new Command("disable", "Disable a client: no new tokens, and its outstanding tokens stop working");
        var id = new Argument<string>("client-id") { Description = "The client to disable" };
        var reason = new Option<string>("--reason") { Description = "Why; kept in the audit log", Required = true };
        command.Add(id);
        command.Add(reason);
        command.Run(ctx, async (p, ct) =>
        {
            var response = await Client(ctx, p).DisableClientAsync(new W.DisableClientRequest { ClientId = p.GetValue(id)!.Trim(), Reason = p.GetValue(reason)! },
                await AuthorityCommands.HeadersAsync(ctx, p, ct), ctx.Deadline(), ct);
            ctx.Console.MarkupLine($"[green]Client {Markup.Escape(response.Client.ClientId)} is disabled.[/]");
            return CommandKit.Ok;
        });
        return command;
    }

    /// <summary>The one place a secret is shown. Nothing here goes to a log: the tool writes only to the console.</summary>
    private static void PrintCredentials(IAnsiConsole console, W.ClientSummary client, W.ClientCredentials credentials)
    {
        var grid = new Grid().AddColumn().AddColumn();
        grid.AddRow("client id", Markup.Escape(credentials.ClientId));
        grid.AddRow("client secret", credentials.ClientSecret.Length > 0 ? Markup.Escape(credentials.ClientSecret) : "(none: the client signs assertions with its key)");
        grid.AddRow("token endpoint", Markup.Escape(credentials.TokenEndpoint));
        grid.AddRow("scopes", Markup.Escape(string.Join(' ', credentials.Scopes)));
        grid.AddRow("kind", KindName(client.Kind) + (client.SchoolCode.Length > 0 ? " of school " + Markup.Escape(client.SchoolCode) : ""));
        console.Write(new Panel(grid) { Header = new PanelHeader("[yellow]Store this now, it is not shown again[/]") });
        console.MarkupLine("[yellow]The secret is stored at the authority only as a hash. Lost it? Run[/] rx clients rotate-secret " + Markup.Escape(credentials.ClientId));
    }

    private static readonly Dictionary<string, W.ClientKind> Kinds = new(StringComparer.OrdinalIgnoreCase)
    {
        ["school"] = W.ClientKind.SchoolAgent,
        ["school-agent"] = W.ClientKind.SchoolAgent,
        ["employer"] = W.ClientKind.Employer,
        ["staff"] = W.ClientKind.Staff,
        ["feed"] = W.ClientKind.FeedConsumer,
        ["feed-consumer"] = W.ClientKind.FeedConsumer,
    };

    private static W.ClientKind ParseKind(string value, W.ClientKind[]? allowed)
    {
        if (Kinds.TryGetValue(value.Trim(), out var kind) && (allowed is null || allowed.Contains(kind)))
        {
            return kind;
        }
        var names = allowed is null ? "school, employer, staff or feed" : string.Join(" or ", allowed.Select(KindName));
        throw new UsageException($"--kind '{value}' is not one of {names}.");
    }

    private static string KindName(W.ClientKind kind) => kind switch
    {
        W.ClientKind.SchoolAgent => "school",
        W.ClientKind.Employer => "employer",
        W.ClientKind.Staff => "staff",
        W.ClientKind.FeedConsumer => "feed",
        _ => kind.ToString(),
    };

    private static string When(Google.Protobuf.WellKnownTypes.Timestamp? at) =>
        at is null ? "" : at.ToDateTimeOffset().ToLocalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
}
