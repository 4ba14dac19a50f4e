using Spectre.Console;

namespace RegistryExchange.Agent.Tests.Support;

/// <summary>A plain, wide, non-interactive console whose output a test reads back.</summary>
public static class CapturedConsole
{
    public static IAnsiConsole Create(StringWriter output)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        console.Profile.Width = 250;
        return console;
    }
}
