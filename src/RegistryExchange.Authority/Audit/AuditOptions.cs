namespace RegistryExchange.Authority.Audit;

/// <summary><c>Audit</c> settings.</summary>
public sealed class AuditOptions
{
    /// <summary>Where the checkpoint signing keys live; relative to the working directory, like Identity:KeyDirectory. Keep it off the database host.</summary>
    public string KeyDirectory { get; set; } = "keys";

    /// <summary>How often a checkpoint is signed (when anything was appended). At most a minute.</summary>
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromSeconds(30);
}
