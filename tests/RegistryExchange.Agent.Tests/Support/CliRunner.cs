using Grpc.Net.Client;
using RegistryExchange.Cli;
using Spectre.Console;

namespace RegistryExchange.Agent.Tests.Support;

/// <summary>Runs <c>rx</c> in process against an in-process agent and captures what it prints.</summary>
public sealed class CliRunner(AgentHost agent)
{
    public async Task<(int ExitCode, string Output)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        console.Profile.Width = 250;
        var context = new RxContext(console, _ => GrpcChannel.ForAddress(agent.Server.BaseAddress,
            new GrpcChannelOptions { HttpHandler = agent.Server.CreateHandler() }), interactive: false, TimeProvider.System);
        var exit = await new RxApp(context).RunAsync([.. args, "--agent", agent.Server.BaseAddress.ToString()]);
        return (exit, output.ToString());
    }
}
