using Microsoft.EntityFrameworkCore;
using RegistryExchange.Authority.Schools;
using RegistryExchange.Storage;
using RegistryExchange.Storage.Ingest;

namespace RegistryExchange.Authority.Storage;

public static class RegistryStoreExtensions
{
    /// <summary>
    /// The registry store on the provider named by <c>Storage:Provider</c> (Sqlite, Postgres or SqlServer) at
    /// <c>ConnectionStrings:Registry</c>, migrated and seeded with <c>Schools</c> at start-up.
    /// </summary>
    public static WebApplicationBuilder AddRegistryStore(this WebApplicationBuilder builder)
    {
        var provider = builder.Configuration.GetValue("Storage:Provider", StorageProvider.Sqlite);
        var connectionString = builder.Configuration.GetConnectionString("Registry")
            ?? throw new InvalidOperationException("ConnectionStrings:Registry is not configured.");
        builder.Services.AddPooledDbContextFactory<AuthorityDbContext>(o => o.UseRegistryStore(provider, connectionString));
        builder.Services.AddSingleton(IngestDialect.For(provider));
        builder.Services.AddOptions<List<SchoolOptions>>()
            .Bind(builder.Configuration.GetSection("Schools"))
            .Validate(SchoolOptions.AreValid, "Schools: every school needs a Code (1-32 letters, digits, '-' or '_'), a Name and a six-digit GB/T 2260 RegionCode, and codes must be unique.")
            .ValidateOnStart();
        builder.Services.AddHostedService<RegistryStoreInitializer>();
        return builder;
    }
}
