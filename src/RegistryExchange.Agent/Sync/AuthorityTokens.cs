using Microsoft.Extensions.Options;
using RegistryExchange.Agent.Hosting;

namespace RegistryExchange.Agent.Sync;

/// <summary>Supplies the bearer token for calls to the authority. The identity issue replaces the API key with
/// OAuth client-credentials tokens behind this interface.</summary>
public interface IAuthorityTokenSource
{
    ValueTask<string> GetTokenAsync(CancellationToken ct);
}

/// <summary>The development credential from <c>Authority:ApiKey</c>.</summary>
public sealed class ApiKeyTokenSource(IOptions<AuthorityOptions> options) : IAuthorityTokenSource
{
    public ValueTask<string> GetTokenAsync(CancellationToken ct) => ValueTask.FromResult(options.Value.ApiKey);
}
