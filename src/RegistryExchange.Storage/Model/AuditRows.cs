namespace RegistryExchange.Storage.Model;

// The tamper-evident access log (docs/decisions/0007). Each entry's hash covers the previous entry's hash, its own
// fields and its subjects, so an edit, deletion or reordering breaks the chain at that entry; signed checkpoints
// pin the chain so it cannot be silently recomputed from the edit onwards.

/// <summary>One read or write of students' personal data: who, what, when, for what purpose.</summary>
public sealed class AuditEntryRow
{
    /// <summary>1, 2, 3, ... without gaps, assigned under the audit append lock.</summary>
    public long Sequence { get; set; }
    public DateTime RecordedAt { get; set; }
    /// <summary>The OAuth client id of the caller, or <c>system</c> for the authority's own jobs.</summary>
    public required string ActorClientId { get; set; }
    /// <summary>school, staff, employer, feed or system.</summary>
    public required string ActorKind { get; set; }
    public string? ActorSchoolCode { get; set; }
    /// <summary>What was done, e.g. <c>sync.push</c>, <c>feed.read</c>, <c>duplicates.list</c>.</summary>
    public required string Action { get; set; }
    /// <summary>Why: the caller's declared purpose, else the action's default.</summary>
    public required string Purpose { get; set; }
    public int SubjectCount { get; set; }
    /// <summary>Short, non-identifying detail (ranges, counts). Never a full ID number.</summary>
    public string Detail { get; set; } = "";
    public required byte[] PreviousHash { get; set; }
    public required byte[] Hash { get; set; }
}

/// <summary>A student an audit entry touched: answers "who accessed this record".</summary>
public sealed class AuditSubjectRow
{
    public long EntrySequence { get; set; }
    /// <summary>The national student number, or <c>school_code/local_id</c> for a record that never got one.</summary>
    public required string StudentKey { get; set; }
}

/// <summary>A signed statement "the log's entry N has hash H", written at least every minute.</summary>
public sealed class AuditCheckpointRow
{
    /// <summary>The sequence of the last entry covered.</summary>
    public long Sequence { get; set; }
    public required byte[] Hash { get; set; }
    public DateTime SignedAt { get; set; }
    public required string KeyId { get; set; }
    /// <summary>Compact ES256 JWS over the checkpoint.</summary>
    public required string Signature { get; set; }
}
