using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using RegistryExchange.Agent.Hosting;
using RegistryExchange.Agent.Storage;
using RegistryExchange.Domain.Students;
using RegistryExchange.Domain.Validation;
using RegistryExchange.Protocol;
using W = RegistryExchange.Contracts.V1;

namespace RegistryExchange.Agent.Register;

/// <summary>
/// Every local write: the student row and its outbox entry (with the next sequence number) commit in one SQLite
/// transaction, and the rules are the domain's, the same the authority runs.
/// </summary>
public sealed class SchoolRegister(AgentDbContext db, WriteGate gate, OutboxSignal signal, TimeProvider time, IOptions<SchoolOptions> school)
{
    private string SchoolCode => school.Value.Code;
    private DateOnly Today => DateOnly.FromDateTime(time.GetLocalNow().DateTime);

    public async Task<Student> CreateAsync(string localId, StudentDetails details, string effectiveDate, string reason, string reference, CancellationToken ct)
    {
        var student = Student.Register(localId, SchoolCode, details, Today, effectiveDate, reason, reference);
        var created = new W.StudentCreated { Details = details.ToWire(), EffectiveDate = effectiveDate, Reason = reason, Reference = reference };
        return await CommitAsync(localId, async () =>
        {
            if (await db.Students.AnyAsync(s => s.LocalId == localId, ct))
            {
                throw new StudentAlreadyExistsException(localId);
            }
            db.Students.Add(StoredRecord.ToRow(student, time.GetUtcNow()));
            return (student, new W.RecordChange { Created = created });
        }, ct);
    }

    public Task<Student> UpdateAsync(string localId, StudentDetails details, long expectedVersion, CancellationToken ct) =>
        CommitAsync(localId, async () =>
        {
            var (row, student) = await LoadAsync(localId, expectedVersion, ct);
            student.Update(details, Today);
            Store(row, student);
            return (student, new W.RecordChange { Updated = new W.StudentUpdated { Details = details.ToWire() } });
        }, ct);

    public Task<Student> ChangeStatusAsync(string localId, W.StatusChanged change, CancellationToken ct) =>
        CommitAsync(localId, async () =>
        {
            var (row, student) = await LoadAsync(localId, 0, ct);
            student.ApplyStatusEvent((StatusEventKind)change.Kind, change.EffectiveDate, change.Reason, change.Reference, change.NewValue, Today);
            Store(row, student);
            return (student, new W.RecordChange { StatusChanged = change.Clone() });
        }, ct);

    /// <summary>Creates every valid row in one transaction with prepared commands; each invalid row is reported
    /// with its errors and writes nothing.</summary>
    public async Task<IReadOnlyList<ImportOutcome>> ImportAsync(IReadOnlyList<ImportItem> items, CancellationToken ct)
    {
        var today = Today;
        var now = time.GetUtcNow();
        // Validation and serialisation are CPU-bound and independent per row: use every core.
        var outcomes = items.AsParallel().AsOrdered().Select(item => Prepare(item, today, now)).ToList();
        var valid = outcomes.Where(o => o.Created).ToList();
        if (valid.Count == 0)
        {
            return outcomes;
        }
        using (await gate.EnterAsync(ct))
        {
            await db.Database.OpenConnectionAsync(ct);
            var connection = (SqliteConnection)db.Database.GetDbConnection();
            await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(ct);
            var sequence = await LastSequenceAsync(connection, tx, ct);
            using var bulk = new BulkInserter(connection, tx);
            foreach (var outcome in valid)
            {
                if (!bulk.InsertStudent(outcome.Row!))
                {
                    outcome.Fail(new ValidationError("local_id", $"a student with local id '{outcome.LocalId}' already exists"));
                    continue;
                }
                sequence++;
                bulk.InsertOutbox(sequence, outcome.LocalId, WithSequence(sequence, outcome.ChangeWithoutSequence!), now);
            }
            await tx.CommitAsync(ct);
        }
        signal.Notify();
        return outcomes;
    }

    /// <summary>Everything but the sequence number, which only the write transaction can give.</summary>
    private static ImportOutcome Prepare(ImportItem item, DateOnly today, DateTimeOffset now)
    {
        var localId = item.LocalId.Length > 0 ? item.LocalId : NewLocalId();
        try
        {
            var student = Student.Register(localId, "", item.Details.ToDomain(), today);
            var change = NewChange(0, student, now, new W.RecordChange { Created = new W.StudentCreated { Details = item.Details } });
            return new ImportOutcome(item.RowNumber, localId, StoredRecord.ToRow(student, now), change.ToByteArray(), []);
        }
        catch (DomainValidationException e)
        {
            return new ImportOutcome(item.RowNumber, localId, null, null, [.. e.Errors]);
        }
    }

    /// <summary>Protobuf merges fields in any order, so prefixing field 1 (sequence, a varint) to a serialised change
    /// that lacks it yields the change with that sequence: the serialisation stays in the parallel phase.</summary>
    private static byte[] WithSequence(long sequence, byte[] changeWithoutSequence)
    {
        var prefix = new byte[1 + CodedOutputStream.ComputeUInt64Size((ulong)sequence)];
        var output = new CodedOutputStream(prefix);
        output.WriteTag(W.RecordChange.SequenceFieldNumber, WireFormat.WireType.Varint);
        output.WriteUInt64((ulong)sequence);
        output.Flush();
        return [.. prefix, .. changeWithoutSequence];
    }

    public static string NewLocalId() => Guid.CreateVersion7().ToString();

    private async Task<Student> CommitAsync(string localId, Func<Task<(Student Student, W.RecordChange Change)>> write, CancellationToken ct)
    {
        Student result;
        using (await gate.EnterAsync(ct))
        {
            // BEGIN IMMEDIATE (Microsoft.Data.Sqlite's default): the write lock is ours before the sequence is read.
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var (student, change) = await write();
            var now = time.GetUtcNow();
            var sequence = await db.Outbox.MaxAsync(o => (long?)o.Sequence, ct) ?? 0;
            var entry = NewChange(sequence + 1, student, now, change);
            db.Outbox.Add(new OutboxEntry { Sequence = sequence + 1, LocalId = localId, Payload = entry.ToByteArray(), CreatedAt = now });
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            result = student;
        }
        signal.Notify();
        return result;
    }

    private static W.RecordChange NewChange(long sequence, Student student, DateTimeOffset now, W.RecordChange change)
    {
        change.Sequence = (ulong)sequence;
        change.StudentLocalId = student.LocalId;
        change.NationalStudentNumber = student.NationalStudentNumber;
        change.RecordedAt = Timestamp.FromDateTimeOffset(now);
        return change;
    }

    private async Task<(StudentRow Row, Student Student)> LoadAsync(string localId, long expectedVersion, CancellationToken ct)
    {
        var row = await db.Students.SingleOrDefaultAsync(s => s.LocalId == localId, ct) ?? throw new StudentNotFoundException(localId);
        if (expectedVersion != 0 && expectedVersion != row.Version)
        {
            throw new VersionConflictException(localId, expectedVersion, row.Version);
        }
        return (row, StoredRecord.ToStudent(row, SchoolCode));
    }

    private void Store(StudentRow row, Student student)
    {
        row.Status = student.Status;
        row.Version = student.Version;
        row.RecordJson = new StoredRecord(student.Details, student.History).ToJson();
        row.UpdatedAt = time.GetUtcNow();
    }

    private static async Task<long> LastSequenceAsync(SqliteConnection connection, SqliteTransaction tx, CancellationToken ct)
    {
        await using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "SELECT COALESCE(MAX(sequence), 0) FROM outbox";
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
    }
}

public sealed record ImportItem(int RowNumber, string LocalId, W.StudentDetails Details);

public sealed class ImportOutcome(int rowNumber, string localId, StudentRow? row, byte[]? changeWithoutSequence, List<ValidationError> errors)
{
    public int RowNumber { get; } = rowNumber;
    public string LocalId { get; } = localId;
    public StudentRow? Row { get; private set; } = row;
    public byte[]? ChangeWithoutSequence { get; } = changeWithoutSequence;
    public IReadOnlyList<ValidationError> Errors => errors;
    public bool Created => Row is not null;

    public void Fail(ValidationError error)
    {
        Row = null;
        errors.Add(error);
    }
}
