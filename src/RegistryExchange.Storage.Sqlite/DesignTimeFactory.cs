using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace RegistryExchange.Storage.Sqlite;

/// <summary>For dotnet ef. Adding and checking migrations needs no server; RX_DESIGN_CONNECTION points at one when applying.</summary>
public sealed class DesignTimeFactory : IDesignTimeDbContextFactory<AuthorityDbContext>
{
    public AuthorityDbContext CreateDbContext(string[] args)
    {
        var connectionString = Environment.GetEnvironmentVariable("RX_DESIGN_CONNECTION") ?? "Data Source=registry.db";
        var options = new DbContextOptionsBuilder<AuthorityDbContext>();
        options.UseRegistryStore(StorageProvider.Sqlite, connectionString);
        return new AuthorityDbContext(options.Options);
    }
}
