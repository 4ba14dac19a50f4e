using Google.Rpc;
using Grpc.Core;
using Spectre.Console;

namespace RegistryExchange.Cli.Output;

/// <summary>Prints a gRPC failure with everything the server said: status, message, and each rich detail.</summary>
public static class ErrorReport
{
    public static void Print(IAnsiConsole console, RpcException e)
    {
        console.MarkupLine($"[red]error:[/] {Markup.Escape(e.StatusCode.ToString())} ({(int)e.StatusCode}): {Markup.Escape(e.Status.Detail)}");
        var status = e.GetRpcStatus();
        if (status is null)
        {
            if (e.StatusCode is StatusCode.PermissionDenied or StatusCode.Unauthenticated)
            {
                // A bare 401/403 from the authentication layer: say what the servers expect.
                console.MarkupLine("  hint: a school agent accepts only clients of its own school (RX_CLIENT_ID / --client-id); authority commands need a client of the right kind.");
            }
            return;
        }
        if (status.GetDetail<BadRequest>() is { FieldViolations.Count: > 0 } bad)
        {
            var table = new Table().AddColumn("field").AddColumn("problem");
            foreach (var v in bad.FieldViolations)
            {
                table.AddRow(Markup.Escape(v.Field), Markup.Escape(v.Description));
            }
            console.Write(table);
        }
        if (status.GetDetail<ErrorInfo>() is { } info)
        {
            var metadata = string.Join(", ", info.Metadata.Select(kv => $"{kv.Key}={kv.Value}"));
            console.MarkupLine($"  reason: {Markup.Escape(info.Reason)}{(metadata.Length > 0 ? " (" + Markup.Escape(metadata) + ")" : "")}");
        }
        if (status.GetDetail<PreconditionFailure>() is { } failure)
        {
            foreach (var v in failure.Violations.Where(v => v.Description != e.Status.Detail))
            {
                console.MarkupLine($"  precondition {Markup.Escape(v.Type)} {Markup.Escape(v.Subject)}: {Markup.Escape(v.Description)}");
            }
        }
    }
}
