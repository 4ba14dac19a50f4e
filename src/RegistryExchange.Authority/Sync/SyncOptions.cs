namespace RegistryExchange.Authority.Sync;

/// <summary><c>Sync</c> configuration.</summary>
public sealed class SyncOptions
{
    /// <summary>Most changes one PushChanges call or stream message may carry.</summary>
    public int MaxBatchSize { get; set; } = 5000;
    public int DefaultRejectedPageSize { get; set; } = 100;
    public int MaxRejectedPageSize { get; set; } = 1000;
}
