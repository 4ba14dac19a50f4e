using System.CommandLine;
using Grpc.Core.Interceptors;
using W = RegistryExchange.Contracts.V1;

namespace RegistryExchange.Cli.Commands;

/// <summary>The school agent's local API (<c>--agent</c>). It accepts only tokens of its own school's clients, got with
/// the same client credentials as authority commands (<c>--client-id</c>, <c>RX_CLIENT_ID</c>, ...).</summary>
public static class AgentClient
{
    public static async Task<W.SchoolRegisterService.SchoolRegisterServiceClient> CreateAsync(RxContext ctx, ParseResult p, CancellationToken ct)
    {
        var bearer = await ctx.BearerAsync(CommandKit.Credentials(p), ct);
        var invoker = ctx.Channel(p.GetValue(CommandKit.Agent)!).Intercept(headers =>
        {
            foreach (var entry in bearer)
            {
                headers.Add(entry);
            }
            return headers;
        });
        return new W.SchoolRegisterService.SchoolRegisterServiceClient(invoker);
    }
}
