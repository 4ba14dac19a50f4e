using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace RegistryExchange.Agent.Storage;

/// <summary>Healthy when the register answers a query.</summary>
public sealed class RegisterHealthCheck(AgentDbContext db) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await db.SyncState.AnyAsync(cancellationToken)
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy("sync_state is empty: the register is not migrated");
}
