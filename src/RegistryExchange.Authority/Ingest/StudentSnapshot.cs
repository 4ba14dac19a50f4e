using Microsoft.EntityFrameworkCore;
using RegistryExchange.Domain.Students;
using RegistryExchange.Storage;
using RegistryExchange.Storage.Json;
using RegistryExchange.Storage.Model;
using W = RegistryExchange.Contracts.V1;

namespace RegistryExchange.Authority.Ingest;

/// <summary>A student as the batch sees it: loaded from the store (domain object rebuilt on first use) or registered in this batch.</summary>
internal sealed class StudentState
{
    private readonly StudentRow? _stored;
    private Student? _student;

    private StudentState(StudentRow? stored, Student? student, string nationalNumber, string owner, string localId, string? idNumber)
    {
        _stored = stored;
        _student = student;
        NationalStudentNumber = nationalNumber;
        OwnerSchoolCode = owner;
        LocalId = localId;
        IdNumber = idNumber;
        OriginalIdNumber = idNumber;
    }

    public string NationalStudentNumber { get; }
    public string OwnerSchoolCode { get; }
    public string LocalId { get; }
    public string? IdNumber { get; set; }
    public string? OriginalIdNumber { get; }
    public bool ExistedBefore => _stored is not null;
    public Student Student => _student ??= FromRow(_stored!);

    public void Rebuild() => _ = Student;

    public static StudentState Loaded(StudentRow row) =>
        new(row, null, row.NationalStudentNumber, row.OwnerSchoolCode, row.LocalId, row.IdNumber);

    public static StudentState Registered(Student student, string? idNumber) =>
        new(null, student, student.NationalStudentNumber, student.SchoolCode, student.LocalId, idNumber);

    private static Student FromRow(StudentRow row)
    {
        var record = RecordJson.Deserialize(row.RecordJson);
        return Student.Restore(row.LocalId, row.OwnerSchoolCode, row.NationalStudentNumber, row.Status, record.Details, record.History, row.Version);
    }
}

/// <summary>Every student a batch can touch, loaded in three set queries and kept current in memory as changes apply.</summary>
internal sealed class StudentSnapshot(string schoolCode)
{
    private readonly Dictionary<string, StudentState> _byLocalId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, StudentState> _byNationalNumber = new(StringComparer.Ordinal);
    private readonly Dictionary<string, StudentState> _byIdNumber = new(StringComparer.Ordinal);

    public StudentState? ByLocalId(string localId) => _byLocalId.GetValueOrDefault(localId);
    public StudentState? ByNationalNumber(string number) => _byNationalNumber.GetValueOrDefault(number);
    public StudentState? ByIdNumber(string idNumber) => _byIdNumber.GetValueOrDefault(idNumber);

    public static async Task<StudentSnapshot> LoadAsync(AuthorityDbContext db, string schoolCode, IReadOnlyList<W.RecordChange> changes, CancellationToken ct)
    {
        var localIds = changes.Select(c => c.StudentLocalId).Distinct(StringComparer.Ordinal).ToList();
        var idNumbers = changes.Select(IdNumberOf).Where(id => id.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        // A G-number outlives an ID correction, so "G"+ID is looked up as well as the ID itself.
        var nationalNumbers = changes.Select(c => c.NationalStudentNumber).Where(n => n.Length > 0)
            .Concat(idNumbers.Select(id => "G" + id)).Distinct(StringComparer.Ordinal).ToList();

        var snapshot = new StudentSnapshot(schoolCode);
        var students = db.Students.AsNoTracking();
        var own = snapshot.AddLoaded(await students.Where(s => s.OwnerSchoolCode == schoolCode && localIds.Contains(s.LocalId)).ToListAsync(ct));
        // The school's own students are what its changes apply to: rebuild them from JSON on every core now,
        // rather than one by one under the decisions loop.
        Parallel.ForEach(own, state => state.Rebuild());
        if (nationalNumbers.Count > 0)
        {
            snapshot.AddLoaded(await students.Where(s => nationalNumbers.Contains(s.NationalStudentNumber)).ToListAsync(ct));
        }
        if (idNumbers.Count > 0)
        {
            snapshot.AddLoaded(await students.Where(s => s.IdNumber != null && idNumbers.Contains(s.IdNumber)).ToListAsync(ct));
        }
        return snapshot;
    }

    public void Add(StudentState student)
    {
        _byNationalNumber[student.NationalStudentNumber] = student;
        if (student.OwnerSchoolCode == schoolCode)
        {
            _byLocalId[student.LocalId] = student;
        }
        if (student.IdNumber is { } id)
        {
            _byIdNumber[id] = student;
        }
    }

    public void ChangeIdNumber(StudentState student, string? idNumber)
    {
        if (student.IdNumber == idNumber)
        {
            return;
        }
        if (student.IdNumber is { } old && _byIdNumber.GetValueOrDefault(old) == student)
        {
            _byIdNumber.Remove(old);
        }
        student.IdNumber = idNumber;
        if (idNumber is not null)
        {
            _byIdNumber[idNumber] = student;
        }
    }

    private List<StudentState> AddLoaded(List<StudentRow> rows)
    {
        var added = new List<StudentState>(rows.Count);
        foreach (var row in rows)
        {
            if (!_byNationalNumber.ContainsKey(row.NationalStudentNumber))
            {
                var state = StudentState.Loaded(row);
                Add(state);
                added.Add(state);
            }
        }
        return added;
    }

    private static string IdNumberOf(W.RecordChange change) => change.ChangeCase switch
    {
        W.RecordChange.ChangeOneofCase.Created => change.Created.Details?.Basic?.IdNumber ?? "",
        W.RecordChange.ChangeOneofCase.Updated => change.Updated.Details?.Basic?.IdNumber ?? "",
        _ => "",
    };
}
