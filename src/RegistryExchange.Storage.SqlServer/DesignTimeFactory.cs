using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace RegistryExchange.Storage.SqlServer;

/// <summary>For dotnet ef. Adding and checking migrations needs no server; RX_DESIGN_CONNECTION points at one when applying.</summary>
public sealed class DesignTimeFactory : IDesignTimeDbContextFactory<AuthorityDbContext>
{
    public AuthorityDbContext CreateDbContext(string[] args)
    {
        var connectionString = Environment.GetEnvironmentVariable("RX_DESIGN_CONNECTION") ?? "Server=localhost;Database=Registry;Integrated Security=true;TrustServerCertificate=true";
        var options = new DbContextOptionsBuilder<AuthorityDbContext>();
        options.UseRegistryStore(StorageProvider.SqlServer, connectionString);
        return new AuthorityDbContext(options.Options);
    }
}
