using Microsoft.Extensions.DependencyInjection.Extensions;
using RegistryExchange.Authority.Feed;
using RegistryExchange.Storage.Ingest;

namespace RegistryExchange.Authority.Ingest;

public enum IngestMode
{
    /// <summary>Provider-native batching: prepared statements (SQLite), binary COPY (PostgreSQL), SqlBulkCopy (SQL Server).</summary>
    Bulk,
    /// <summary>One EF Core SaveChanges per change: the baseline benchmarks compare against.</summary>
    PerEntity,
}

public static class IngestExtensions
{
    /// <summary>The exactly-once ingest; <c>Ingest:Mode</c> picks the writer (Bulk by default).</summary>
    public static WebApplicationBuilder AddIngest(this WebApplicationBuilder builder)
    {
        var mode = builder.Configuration.GetValue("Ingest:Mode", IngestMode.Bulk);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<IIngestWriter>(sp =>
            mode == IngestMode.PerEntity ? new PerEntityIngestWriter() : sp.GetRequiredService<IngestDialect>().BulkWriter);
        builder.Services.AddSingleton<ApplyLock>();
        builder.Services.AddSingleton<FeedSignal>();
        builder.Services.AddSingleton<BatchIngestor>();
        return builder;
    }
}
