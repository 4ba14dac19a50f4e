using RegistryExchange.Domain.Students;

namespace RegistryExchange.Agent.Storage;

/// <summary>A student of this school. <see cref="RecordJson"/> holds the details and the status history.</summary>
public sealed class StudentRow
{
    public required string LocalId { get; set; }
    public string NationalStudentNumber { get; set; } = "";
    public StudentStatus Status { get; set; }
    public long Version { get; set; }
    public required string RecordJson { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>One local change waiting for (or already through) the authority. Entries are never deleted, so the
/// next sequence number is always MAX(sequence) + 1.</summary>
public sealed class OutboxEntry
{
    public long Sequence { get; set; }
    public required string LocalId { get; set; }
    /// <summary>The <c>RecordChange</c> protobuf bytes, exactly as they will be pushed.</summary>
    public required byte[] Payload { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A change the authority refused, kept so the school sees why.</summary>
public sealed class PushRejection
{
    public long Sequence { get; set; }
    public required string LocalId { get; set; }
    public required string Reason { get; set; }
    public string Message { get; set; } = "";
    public DateTimeOffset RecordedAt { get; set; }
}

/// <summary>The single row of push progress.</summary>
public sealed class SyncState
{
    public const int SingletonId = 1;
    public int Id { get; set; } = SingletonId;
    public long AuthorityHighWaterMark { get; set; }

    /// <summary>The highest sequence whose result (national number or rejection) is recorded here. It can trail the
    /// authority's mark after a crash between the authority's commit and ours; those changes are replayed to get
    /// their original results back.</summary>
    public long ResultsRecordedThrough { get; set; }
    public DateTimeOffset? LastPushAt { get; set; }
    public string? LastError { get; set; }
}
