using Grpc.Net.Client;
using RegistryExchange.Cli;

namespace RegistryExchange.Agent.Tests.Support;

/// <summary>Runs <c>rx</c> in process against an in-process authority (gRPC and token endpoint) as a given client.</summary>
public sealed class AuthorityCliRunner(AuthorityHost authority)
{
    public async Task<(int ExitCode, string Output)> RunAsync(AgentCredentials? client, params string[] args)
    {
        var output = new StringWriter();
        var console = CapturedConsole.Create(output);
        using var tokenHandler = authority.Handler();
        var context = new RxContext(console, _ => GrpcChannel.ForAddress(authority.Server.BaseAddress,
            new GrpcChannelOptions { HttpHandler = authority.Server.CreateHandler() }), interactive: false, TimeProvider.System, tokenHandler);
        string[] credentials = client is null ? [] : ["--client-id", client.ClientId, "--client-secret", client.ClientSecret];
        var exit = await new RxApp(context).RunAsync([.. args, "--authority", authority.Server.BaseAddress.ToString(),
            "--token-endpoint", authority.TokenEndpoint.ToString(), .. credentials]);
        return (exit, output.ToString());
    }
}
