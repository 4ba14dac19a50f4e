using RegistryExchange.Domain.Students;

namespace RegistryExchange.Storage.Model;

// Rows of the registry store. Plain classes: the domain (Student) is rebuilt from them and never persisted directly.

/// <summary>A school known to the authority, with its sync progress.</summary>
public sealed class SchoolRow
{
    public required string Code { get; set; }
    public required string Name { get; set; }
    /// <summary>GB/T 2260 code; J-numbers for students without an ID number carry it.</summary>
    public required string RegionCode { get; set; }
    /// <summary>The highest change sequence applied for this school.</summary>
    public long HighWaterMark { get; set; }
    public long NextAssignedSerial { get; set; } = 1;
}

public sealed class StudentRow
{
    public required string NationalStudentNumber { get; set; }
    public required string OwnerSchoolCode { get; set; }
    public required string LocalId { get; set; }
    /// <summary>Null when the student has none; unique nationally otherwise.</summary>
    public string? IdNumber { get; set; }
    public StudentStatus Status { get; set; }
    public long Version { get; set; }
    /// <summary>Details and status history as JSON (<see cref="Json.RecordJson"/>).</summary>
    public required string RecordJson { get; set; }
    public DateTime UpdatedAt { get; set; }

    public StudentRow Copy() => (StudentRow)MemberwiseClone();
}

/// <summary>One pushed change and what the authority did with it: the result store for replays and the change feed.</summary>
public sealed class ChangeLogRow
{
    /// <summary>Feed position, assigned under the apply lock so versions commit in order.</summary>
    public long Version { get; set; }
    public required string SchoolCode { get; set; }
    public long Sequence { get; set; }
    public required string StudentLocalId { get; set; }
    public string? NationalStudentNumber { get; set; }
    public ChangeOutcome Outcome { get; set; }
    public RejectionReason? RejectionReason { get; set; }
    public string Message { get; set; } = "";
    public ChangeKind Kind { get; set; }
    public StudentStatus? StatusAfter { get; set; }
    public bool RecordEnded { get; set; }
    public long RecordVersion { get; set; }
    public DateTime AppliedAt { get; set; }
    /// <summary>The RecordChange protobuf bytes as applied, national number filled in.</summary>
    public required byte[] Payload { get; set; }
}

public sealed class DuplicateCaseRow
{
    public long Id { get; set; }
    /// <summary>Full ID number for staff investigation; masked in every response and log.</summary>
    public required string IdNumber { get; set; }
    public required string ExistingNationalStudentNumber { get; set; }
    public required string ExistingSchoolCode { get; set; }
    public required string ClaimingSchoolCode { get; set; }
    public required string ClaimingLocalId { get; set; }
    public long ClaimingSequence { get; set; }
    public DuplicateCaseState State { get; set; }
    public DuplicateResolution? Resolution { get; set; }
    public string Note { get; set; } = "";
    public DateTime OpenedAt { get; set; }
    public DateTime? ResolvedAt { get; set; }
}

public enum ChangeOutcome
{
    Accepted = 1,
    Rejected = 2,
}

public enum RejectionReason
{
    DuplicateIdNumber = 1,
    NotOwner = 2,
    UnknownStudent = 3,
    IllegalTransition = 4,
    AlreadyRegistered = 5,
    Conflict = 6,
}

public enum ChangeKind
{
    Created = 1,
    Updated = 2,
    StatusChanged = 3,
}

public enum DuplicateCaseState
{
    Open = 1,
    Resolved = 2,
}

public enum DuplicateResolution
{
    ClaimRejected = 1,
    ReferredToTransfer = 2,
    ClaimCorrected = 3,
}
