using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace RegistryExchange.Storage.Postgres;

/// <summary>For dotnet ef. Adding and checking migrations needs no server; RX_DESIGN_CONNECTION points at one when applying.</summary>
public sealed class DesignTimeFactory : IDesignTimeDbContextFactory<AuthorityDbContext>
{
    public AuthorityDbContext CreateDbContext(string[] args)
    {
        var connectionString = Environment.GetEnvironmentVariable("RX_DESIGN_CONNECTION") ?? "Host=localhost;Database=registry;Username=postgres";
        var options = new DbContextOptionsBuilder<AuthorityDbContext>();
        options.UseRegistryStore(StorageProvider.Postgres, connectionString);
        return new AuthorityDbContext(options.Options);
    }
}
