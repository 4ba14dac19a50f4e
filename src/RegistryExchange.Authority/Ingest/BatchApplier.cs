using Google.Protobuf;
using RegistryExchange.Domain.Codes;
using RegistryExchange.Domain.Students;
using RegistryExchange.Domain.Validation;
using RegistryExchange.Protocol;
using RegistryExchange.Storage.Ingest;
using RegistryExchange.Storage.Json;
using RegistryExchange.Storage.Model;
using W = RegistryExchange.Contracts.V1;

namespace RegistryExchange.Authority.Ingest;

/// <summary>
/// Decides every change of a batch in memory with the domain's Student methods and produces what to write.
/// Shared by the bulk and per-entity writers, so both make the same decisions. Runs under the apply lock.
/// </summary>
internal sealed class BatchApplier
{
    private readonly SchoolRow _school;
    private readonly StudentSnapshot _students;
    private readonly DateOnly _today;
    private readonly DateTime _appliedAt;
    private readonly IngestWrite _write;
    private readonly List<Serialization> _serializations = [];
    private long _nextVersion;
    private long _nextSerial;

    /// <param name="regionSerialFloor">The next J-number serial free in the school's region (schools of a region share the prefix).</param>
    public BatchApplier(SchoolRow school, StudentSnapshot students, DateOnly today, DateTime appliedAt, long firstVersion, long regionSerialFloor)
    {
        _school = school;
        _students = students;
        _today = today;
        _appliedAt = appliedAt;
        _nextVersion = firstVersion;
        _nextSerial = Math.Max(school.NextAssignedSerial, regionSerialFloor);
        _write = new IngestWrite(new SchoolRow
        {
            Code = school.Code,
            Name = school.Name,
            RegionCode = school.RegionCode,
            HighWaterMark = school.HighWaterMark,
            NextAssignedSerial = school.NextAssignedSerial,
        });
    }

    /// <param name="firstIndex">Position of the first change in the request, for field paths.</param>
    public IngestWrite Apply(IReadOnlyList<W.RecordChange> changes, int firstIndex)
    {
        for (var i = 0; i < changes.Count; i++)
        {
            try
            {
                _write.Changes.Add(ApplyOne(changes[i]));
            }
            catch (DomainValidationException e)
            {
                // Rules ChangeValidation does not repeat (e.g. a create's reason length): the batch is invalid.
                throw RichErrors.InvalidArgument(e.Errors.Select(error => WireError(changes[i], error).WithPrefix($"changes[{firstIndex + i}]")));
            }
        }
        _write.School.HighWaterMark = (long)changes[^1].Sequence;
        _write.School.NextAssignedSerial = Math.Max(_school.NextAssignedSerial, _nextSerial);
        // Decisions are sequential; turning them into bytes and JSON is not, and is most of the CPU time.
        Parallel.ForEach(_serializations, s => s.Run());
        return _write;
    }

    private ChangeWrite ApplyOne(W.RecordChange change)
    {
        var decision = change.ChangeCase switch
        {
            W.RecordChange.ChangeOneofCase.Created => Create(change),
            W.RecordChange.ChangeOneofCase.Updated => Update(change),
            W.RecordChange.ChangeOneofCase.StatusChanged => ChangeStatus(change),
            _ => throw new InvalidOperationException("ChangeValidation lets no change without a kind through."),
        };
        return ToWrite(change, decision);
    }

    private Decision Create(W.RecordChange change)
    {
        if (_students.ByLocalId(change.StudentLocalId) is not null)
        {
            return Decision.Reject(RejectionReason.AlreadyRegistered,
                $"Local id {change.StudentLocalId} is already registered at the authority; send an update instead.");
        }
        if (change.NationalStudentNumber.Length > 0 && _students.ByNationalNumber(change.NationalStudentNumber) is { } named)
        {
            return named.OwnerSchoolCode == _school.Code
                ? Decision.Reject(RejectionReason.Conflict, $"The national student number belongs to local id {named.LocalId} of this school.")
                : NotOwner();
        }
        var created = change.Created;
        var details = created.Details.ToDomain();
        var idNumber = NullIfEmpty(details.Basic.IdNumber);
        if (idNumber is not null && Holder(idNumber, null) is { } holder)
        {
            return IdNumberTaken(change, idNumber, holder);
        }
        var student = Student.Register(change.StudentLocalId, _school.Code, details, _today, created.EffectiveDate, created.Reason, created.Reference);
        student.AssignNationalNumber(idNumber is not null
            ? NationalStudentNumber.ForIdNumber(IdNumber.Parse(idNumber))
            : NationalStudentNumber.Assigned(_school.RegionCode, _nextSerial++));
        var state = StudentState.Registered(student, idNumber);
        _students.Add(state);
        return Decision.Accept(state);
    }

    private Decision Update(W.RecordChange change)
    {
        if (Resolve(change, out var state) is { } rejection)
        {
            return rejection;
        }
        var details = change.Updated.Details.ToDomain();
        var idNumber = NullIfEmpty(details.Basic.IdNumber);
        if (idNumber is not null && idNumber != state.IdNumber && Holder(idNumber, state) is { } holder)
        {
            return IdNumberTaken(change, idNumber, holder);
        }
        state.Student.Update(details, _today);
        _students.ChangeIdNumber(state, idNumber);
        return Decision.Accept(state);
    }

    private Decision ChangeStatus(W.RecordChange change)
    {
        if (Resolve(change, out var state) is { } rejection)
        {
            return rejection;
        }
        var e = change.StatusChanged;
        try
        {
            state.Student.ApplyStatusEvent((StatusEventKind)e.Kind, e.EffectiveDate, e.Reason, e.Reference, e.NewValue, _today);
        }
        catch (IllegalTransitionException ex)
        {
            return Decision.Reject(RejectionReason.IllegalTransition, ex.Message + ".");
        }
        return Decision.Accept(state);
    }

    /// <summary>By national number when the change carries one, else by (school, local id).</summary>
    private Decision? Resolve(W.RecordChange change, out StudentState state)
    {
        state = null!;
        if (change.NationalStudentNumber.Length > 0)
        {
            var named = _students.ByNationalNumber(change.NationalStudentNumber);
            if (named is null)
            {
                return Decision.Reject(RejectionReason.UnknownStudent, "No student has the national student number this change names.");
            }
            if (named.OwnerSchoolCode != _school.Code)
            {
                return NotOwner();
            }
            if (named.LocalId != change.StudentLocalId)
            {
                return Decision.Reject(RejectionReason.Conflict,
                    $"The national student number belongs to local id {named.LocalId} of this school, not {change.StudentLocalId}.");
            }
            state = named;
            return null;
        }
        var local = _students.ByLocalId(change.StudentLocalId);
        if (local is null)
        {
            return Decision.Reject(RejectionReason.UnknownStudent,
                $"Local id {change.StudentLocalId} is not registered at the authority; its create must be accepted first.");
        }
        state = local;
        return null;
    }

    private static Decision NotOwner() => Decision.Reject(RejectionReason.NotOwner,
        "The student this change names is owned by another school. Only the owning school may change a record; " +
        "ownership moves only through an approved transfer.");

    /// <summary>Whoever holds the ID number, or the G-number made from it, other than <paramref name="self"/>.</summary>
    private StudentState? Holder(string idNumber, StudentState? self)
    {
        var byId = _students.ByIdNumber(idNumber);
        if (byId is not null && byId != self)
        {
            return byId;
        }
        var byNumber = _students.ByNationalNumber("G" + idNumber);
        return byNumber is not null && byNumber != self ? byNumber : null;
    }

    private Decision IdNumberTaken(W.RecordChange change, string idNumber, StudentState holder)
    {
        var masked = IdNumber.Mask(idNumber);
        if (holder.OwnerSchoolCode == _school.Code)
        {
            return Decision.Reject(RejectionReason.Conflict, $"ID number {masked} already belongs to local id {holder.LocalId} of this school.");
        }
        var duplicateCase = new DuplicateCaseRow
        {
            IdNumber = idNumber,
            ExistingNationalStudentNumber = holder.NationalStudentNumber,
            ExistingSchoolCode = holder.OwnerSchoolCode,
            ClaimingSchoolCode = _school.Code,
            ClaimingLocalId = change.StudentLocalId,
            ClaimingSequence = (long)change.Sequence,
            State = DuplicateCaseState.Open,
            OpenedAt = _appliedAt,
        };
        return Decision.Reject(RejectionReason.DuplicateIdNumber,
            $"ID number {masked} already belongs to a student registered at another school. The records were not merged; " +
            "a duplicate case is open for authority staff.", duplicateCase);
    }

    private ChangeWrite ToWrite(W.RecordChange change, Decision decision)
    {
        var state = decision.Student;
        var student = state?.Student;
        var nationalNumber = student?.NationalStudentNumber ?? NullIfEmpty(change.NationalStudentNumber);
        var log = new ChangeLogRow
        {
            Version = _nextVersion++,
            SchoolCode = _school.Code,
            Sequence = (long)change.Sequence,
            StudentLocalId = change.StudentLocalId,
            NationalStudentNumber = nationalNumber,
            Outcome = student is null ? ChangeOutcome.Rejected : ChangeOutcome.Accepted,
            RejectionReason = decision.Reason,
            Message = decision.Message,
            Kind = KindOf(change),
            StatusAfter = student?.Status,
            RecordEnded = student is not null && StatusLifecycle.IsEnded(student.Status),
            RecordVersion = student?.Version ?? 0,
            AppliedAt = _appliedAt,
            Payload = [],
        };
        var row = student is null ? null : ToRow(state!, student);
        // Details are immutable and history only grows: this pair is the record as it stands after this change.
        _serializations.Add(new Serialization(change, log, row, student?.Details, student?.History, student?.History.Count ?? 0));
        var write = row is null ? null : new StudentWrite(row, !state!.ExistedBefore, state.IdNumber != state.OriginalIdNumber);
        return new ChangeWrite(log, write, decision.DuplicateCase);
    }

    private StudentRow ToRow(StudentState state, Student s) => new()
    {
        NationalStudentNumber = s.NationalStudentNumber,
        OwnerSchoolCode = s.SchoolCode,
        LocalId = s.LocalId,
        IdNumber = state.IdNumber,
        Status = s.Status,
        Version = s.Version,
        RecordJson = "",
        UpdatedAt = _appliedAt,
    };

    /// <summary>The bytes of one change: its payload and, if accepted, the student's record JSON.</summary>
    private sealed record Serialization(W.RecordChange Change, ChangeLogRow Log, StudentRow? Row, StudentDetails? Details, IReadOnlyList<StatusEvent>? History, int HistoryCount)
    {
        public void Run()
        {
            Log.Payload = PayloadOf(Change, Log.NationalStudentNumber);
            if (Row is not null)
            {
                var history = History!.Count == HistoryCount ? History : [.. History.Take(HistoryCount)];
                Row.RecordJson = RecordJson.Serialize(Details!, history);
            }
        }
    }

    /// <summary>The change as applied: what the feed hands on, with the national number filled in.</summary>
    private static byte[] PayloadOf(W.RecordChange change, string? nationalNumber)
    {
        if (nationalNumber is null || change.NationalStudentNumber == nationalNumber)
        {
            return change.ToByteArray();
        }
        var applied = change.Clone();
        applied.NationalStudentNumber = nationalNumber;
        return applied.ToByteArray();
    }

    /// <summary>Domain field names are relative to the details or the event; the wire path adds the change kind.</summary>
    private static ValidationError WireError(W.RecordChange change, ValidationError error) => change.ChangeCase switch
    {
        W.RecordChange.ChangeOneofCase.Created when error.Field == "local_id" => error with { Field = "student_local_id" },
        W.RecordChange.ChangeOneofCase.Created when error.Field is "effective_date" or "reason" or "reference" => error.WithPrefix("created"),
        W.RecordChange.ChangeOneofCase.Created => error.WithPrefix("created.details"),
        W.RecordChange.ChangeOneofCase.Updated => error.WithPrefix("updated.details"),
        _ => error.WithPrefix("status_changed"),
    };

    private static ChangeKind KindOf(W.RecordChange change) => change.ChangeCase switch
    {
        W.RecordChange.ChangeOneofCase.Created => ChangeKind.Created,
        W.RecordChange.ChangeOneofCase.Updated => ChangeKind.Updated,
        _ => ChangeKind.StatusChanged,
    };

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;

    private readonly record struct Decision(StudentState? Student, RejectionReason? Reason, string Message, DuplicateCaseRow? DuplicateCase)
    {
        public static Decision Accept(StudentState student) => new(student, null, "", null);

        public static Decision Reject(RejectionReason reason, string message, DuplicateCaseRow? duplicateCase = null) =>
            new(null, reason, message, duplicateCase);
    }
}
