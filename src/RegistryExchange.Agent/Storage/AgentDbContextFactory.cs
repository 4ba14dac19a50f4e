using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace RegistryExchange.Agent.Storage;

/// <summary>Lets <c>dotnet ef</c> build the model without starting the host.</summary>
public sealed class AgentDbContextFactory : IDesignTimeDbContextFactory<AgentDbContext>
{
    public AgentDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<AgentDbContext>()
            .UseSqlite("Data Source=design-time.db", o => o.MigrationsHistoryTable("__ef_migrations_history"))
            .Options);
}
