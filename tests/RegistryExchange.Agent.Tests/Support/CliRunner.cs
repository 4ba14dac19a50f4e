using Grpc.Net.Client;
using RegistryExchange.Cli;

namespace RegistryExchange.Agent.Tests.Support;

/// <summary>Runs <c>rx</c> in process against an in-process agent and captures what it prints. It authenticates as
/// <paramref name="client"/> (default: the agent's school client) at the agent's token server; <see cref="Anonymous"/> gives none.</summary>
public sealed class CliRunner(AgentHost agent, AgentCredentials? client = null, bool anonymous = false)
{
    public static CliRunner Anonymous(AgentHost agent) => new(agent, anonymous: true);

    public async Task<(int ExitCode, string Output)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var console = CapturedConsole.Create(output);
        using var tokenHandler = agent.TokenServer.InMemory ? agent.TokenServer.Handler() : null;
        var context = new RxContext(console, _ => GrpcChannel.ForAddress(agent.Server.BaseAddress,
            new GrpcChannelOptions { HttpHandler = agent.Server.CreateHandler() }), interactive: false, TimeProvider.System, tokenHandler);
        var caller = client ?? agent.SchoolClient;
        string[] credentials = anonymous || caller is null ? [] : ["--client-id", caller.ClientId, "--client-secret", caller.ClientSecret];
        var exit = await new RxApp(context).RunAsync([.. args, "--agent", agent.Server.BaseAddress.ToString(),
            "--token-endpoint", agent.TokenServer.TokenEndpoint.ToString(), .. credentials]);
        return (exit, output.ToString());
    }
}
