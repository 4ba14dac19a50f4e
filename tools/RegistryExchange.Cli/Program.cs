using RegistryExchange.Cli;
using Spectre.Console;

var interactive = !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
var context = new RxContext(AnsiConsole.Console, RxContext.DefaultChannel, interactive, TimeProvider.System);
return await new RxApp(context).RunAsync(args);
