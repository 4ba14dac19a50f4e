using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using RegistryExchange.Authority.Schools;
using RegistryExchange.Storage;
using RegistryExchange.Storage.Ingest;
using RegistryExchange.Storage.Model;

namespace RegistryExchange.Authority.Storage;

/// <summary>Applies migrations and upserts the configured schools before the server takes requests.</summary>
internal sealed class RegistryStoreInitializer(
    IDbContextFactory<AuthorityDbContext> contexts,
    IngestDialect dialect,
    IOptions<List<SchoolOptions>> schools,
    ILogger<RegistryStoreInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await db.Database.MigrateAsync(cancellationToken);
        await dialect.PrepareDatabaseAsync(db, cancellationToken);
        int count;
        try
        {
            count = await UpsertSchoolsAsync(db, schools.Value, cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Another instance starting at the same moment inserted a school first; its row is there now.
            db.ChangeTracker.Clear();
            count = await UpsertSchoolsAsync(db, schools.Value, cancellationToken);
        }
        logger.LogInformation("Registry store ready on {Provider}; {Count} schools configured", dialect.Provider, count);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static async Task<int> UpsertSchoolsAsync(AuthorityDbContext db, List<SchoolOptions> configured, CancellationToken ct)
    {
        var codes = configured.Select(s => s.Code).ToList();
        var existing = await db.Schools.Where(s => codes.Contains(s.Code)).ToDictionaryAsync(s => s.Code, ct);
        foreach (var school in configured)
        {
            if (existing.TryGetValue(school.Code, out var row))
            {
                // Progress (high-water mark, serial) is the store's, never the configuration's.
                row.Name = school.Name;
                row.RegionCode = school.RegionCode;
            }
            else
            {
                db.Schools.Add(new SchoolRow { Code = school.Code, Name = school.Name, RegionCode = school.RegionCode });
            }
        }
        await db.SaveChangesAsync(ct);
        return configured.Count;
    }
}
