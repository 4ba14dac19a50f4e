using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using Quartz;

namespace RegistryExchange.Authority.Identity;

/// <summary>
/// Keeps the signing key ring moving (a successor published ahead of use, retired keys removed after the overlap)
/// and prunes expired token and authorization entries with OpenIddict's managers.
/// </summary>
[DisallowConcurrentExecution]
public sealed class IdentityMaintenanceJob(
    SigningKeyRing ring,
    IServiceScopeFactory scopes,
    IOptions<IdentityOptions> options,
    TimeProvider time,
    ILogger<IdentityMaintenanceJob> logger) : IJob
{
    public static readonly JobKey Key = new("identity-maintenance", "identity");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        ring.Refresh();
        var pruned = await PruneAsync(cancellationToken);
        if (pruned > 0)
        {
            logger.LogInformation("Pruned {Count} expired token and authorization entries", pruned);
        }
    }

    /// <summary>Removes entries created before now minus <c>Identity:TokenRetention</c> that are no longer valid.</summary>
    public async Task<long> PruneAsync(CancellationToken ct)
    {
        var threshold = time.GetUtcNow() - options.Value.TokenRetention;
        await using var scope = scopes.CreateAsyncScope();
        var tokens = scope.ServiceProvider.GetRequiredService<IOpenIddictTokenManager>();
        var authorizations = scope.ServiceProvider.GetRequiredService<IOpenIddictAuthorizationManager>();
        return await tokens.PruneAsync(threshold, ct) + await authorizations.PruneAsync(threshold, ct);
    }
}
