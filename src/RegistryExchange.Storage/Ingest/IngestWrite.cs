using RegistryExchange.Storage.Model;

namespace RegistryExchange.Storage.Ingest;

/// <summary>Everything one batch writes, in change order. Built in memory by the applier, written by an <see cref="IIngestWriter"/>.</summary>
public sealed class IngestWrite(SchoolRow school)
{
    /// <summary>The school with its advanced high-water mark and serial.</summary>
    public SchoolRow School { get; } = school;
    public List<ChangeWrite> Changes { get; } = [];
}

/// <summary>One change: its log row, the student as it stands after it (if accepted), a duplicate case it opened.</summary>
public sealed record ChangeWrite(ChangeLogRow Log, StudentWrite? Student, DuplicateCaseRow? DuplicateCase);

/// <param name="IsNew">The student was not in the store before this batch.</param>
/// <param name="IdNumberChanged">The ID number differs from the stored one (so unique checks must not see both).</param>
public sealed record StudentWrite(StudentRow Row, bool IsNew, bool IdNumberChanged);

/// <summary>The net effect of a batch on students: what bulk writers send.</summary>
public sealed class StudentDelta
{
    public List<StudentRow> Inserts { get; } = [];
    public List<StudentRow> Updates { get; } = [];
    /// <summary>Existing students whose ID number changes: cleared first so a swap inside one batch cannot collide.</summary>
    public List<string> IdNumberReleases { get; } = [];

    public static StudentDelta From(IngestWrite write)
    {
        var last = new Dictionary<string, StudentWrite>(StringComparer.Ordinal);
        var idChanged = new HashSet<string>(StringComparer.Ordinal);
        foreach (var change in write.Changes)
        {
            if (change.Student is not { } s)
            {
                continue;
            }
            last[s.Row.NationalStudentNumber] = s;
            if (s.IdNumberChanged && !s.IsNew)
            {
                idChanged.Add(s.Row.NationalStudentNumber);
            }
        }
        var delta = new StudentDelta();
        foreach (var s in last.Values)
        {
            (s.IsNew ? delta.Inserts : delta.Updates).Add(s.Row);
        }
        delta.IdNumberReleases.AddRange(idChanged);
        return delta;
    }
}

/// <summary>Writes one batch inside the caller's transaction.</summary>
public interface IIngestWriter
{
    Task WriteAsync(AuthorityDbContext db, IngestWrite write, CancellationToken ct);
}
