using Spectre.Console;

namespace RegistryExchange.Cli;

// A namespaced entry point: test projects reference both this tool and hosts that own the global Program.
public static class RxProgram
{
    public static Task<int> Main(string[] args)
    {
        var interactive = !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
        var context = new RxContext(AnsiConsole.Console, RxContext.DefaultChannel, interactive, TimeProvider.System);
        return new RxApp(context).RunAsync(args);
    }
}
