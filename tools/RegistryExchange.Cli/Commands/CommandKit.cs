using System.CommandLine;
using Grpc.Core;
using RegistryExchange.Cli.Output;
using Spectre.Console;

namespace RegistryExchange.Cli.Commands;

/// <summary>Options every command shares, and the wrapper that turns failures into messages and exit codes.</summary>
public static class CommandKit
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int Usage = 2;

    public static readonly Option<string> Agent = new("--agent")
    {
        Description = "The school agent's address (env RX_AGENT)",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("RX_AGENT") is { Length: > 0 } v ? v : "http://127.0.0.1:5061",
        Recursive = true,
    };

    public static readonly Option<string> Authority = new("--authority")
    {
        Description = "The authority's address (env RX_AUTHORITY)",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("RX_AUTHORITY") is { Length: > 0 } v ? v : "http://127.0.0.1:5056",
        Recursive = true,
    };

    public static readonly Option<string> ClientId = new("--client-id")
    {
        Description = "Your client id at the authority (env RX_CLIENT_ID)",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("RX_CLIENT_ID") ?? "",
        Recursive = true,
    };

    public static readonly Option<string> ClientSecret = new("--client-secret")
    {
        Description = "Your client secret (env RX_CLIENT_SECRET; prefer the variable: arguments show in the process list)",
        // No DefaultValueFactory: help prints defaults, and this one must never be printed.
        Recursive = true,
    };

    public static readonly Option<string> TokenEndpoint = new("--token-endpoint")
    {
        Description = "The authority's OAuth token endpoint (env RX_TOKEN_ENDPOINT)",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("RX_TOKEN_ENDPOINT") is { Length: > 0 } v ? v : "http://127.0.0.1:5055/connect/token",
        Recursive = true,
    };

    public static readonly Option<string> Purpose = new("--purpose")
    {
        Description = "Why you are calling, recorded with every access in the authority's audit log (env RX_PURPOSE)",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("RX_PURPOSE") ?? "",
        Recursive = true,
    };

    public static ClientCredentials Credentials(ParseResult p) =>
        new(p.GetValue(ClientId)?.Trim() ?? "", p.GetValue(ClientSecret) is { Length: > 0 } secret ? secret : Environment.GetEnvironmentVariable("RX_CLIENT_SECRET") ?? "",
            p.GetValue(TokenEndpoint) ?? "");

    public static readonly Option<bool> Json = new("--json") { Description = "Print protobuf JSON instead of tables" };

    public static void Run(this Command command, RxContext ctx, Func<ParseResult, CancellationToken, Task<int>> action) =>
        command.SetAction(async (parse, ct) =>
        {
            try
            {
                return await action(parse, ct);
            }
            catch (RpcException e) when (e.StatusCode != StatusCode.Cancelled || !ct.IsCancellationRequested)
            {
                ErrorReport.Print(ctx.Console, e);
                return Failed;
            }
            catch (TokenException e)
            {
                ctx.Console.MarkupLine($"[red]error:[/] {Markup.Escape(e.Message)}");
                return Failed;
            }
            catch (UsageException e)
            {
                ctx.Console.MarkupLine($"[red]error:[/] {Markup.Escape(e.Message)}");
                return Usage;
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or CsvHelper.CsvFormatException)
            {
                ctx.Console.MarkupLine($"[red]error:[/] {Markup.Escape(e.Message)}");
                return Failed;
            }
        });
}
