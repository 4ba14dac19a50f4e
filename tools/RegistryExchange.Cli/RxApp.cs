using System.CommandLine;
using RegistryExchange.Cli.Commands;
using RegistryExchange.Cli.Sample;

namespace RegistryExchange.Cli;

/// <summary>The <c>rx</c> command tree. <see cref="RunAsync"/> is what Program and the tests call.</summary>
public sealed class RxApp(RxContext ctx)
{
    public RootCommand Root { get; } = BuildRoot(ctx);

    public Task<int> RunAsync(string[] args, CancellationToken ct = default) =>
        Root.Parse(args).InvokeAsync(new InvocationConfiguration
        {
            Output = ctx.Console.Profile.Out.Writer,
            Error = ctx.Console.Profile.Out.Writer,
        }, ct);

    private static RootCommand BuildRoot(RxContext ctx)
    {
        var root = new RootCommand("rx: the RegistryExchange tool for school and authority staff");
        root.Add(CommandKit.Agent);
        root.Add(CommandKit.Authority);
        root.Add(CommandKit.ClientId);
        root.Add(CommandKit.ClientSecret);
        root.Add(CommandKit.TokenEndpoint);
        root.Add(CommandKit.Purpose);
        root.Add(StudentsCommands.Build(ctx));
        root.Add(SyncCommands.Build(ctx));
        foreach (var command in AuthorityCommands.Build(ctx))
        {
            root.Add(command);
        }
        root.Add(ClientsCommands.Build(ctx));
        root.Add(AuditCommands.Build(ctx));
        root.Add(SampleCommand.Build(ctx));
        return root;
    }
}
