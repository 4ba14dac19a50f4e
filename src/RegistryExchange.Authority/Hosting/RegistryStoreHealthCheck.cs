using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using RegistryExchange.Storage;

namespace RegistryExchange.Authority.Hosting;

/// <summary>SERVING only while the registry store answers.</summary>
internal sealed class RegistryStoreHealthCheck(IDbContextFactory<AuthorityDbContext> contexts) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Database.CanConnectAsync(cancellationToken)
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy("The registry store does not answer.");
    }
}
