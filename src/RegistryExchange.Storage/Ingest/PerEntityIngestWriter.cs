using Microsoft.EntityFrameworkCore;
using RegistryExchange.Storage.Model;

namespace RegistryExchange.Storage.Ingest;

/// <summary>
/// The naive baseline (Ingest:Mode=PerEntity): one EF Core SaveChanges per change, same transaction, same decisions.
/// Kept to measure the bulk writers against, not for production.
/// </summary>
public sealed class PerEntityIngestWriter : IIngestWriter
{
    public async Task WriteAsync(AuthorityDbContext db, IngestWrite write, CancellationToken ct)
    {
        if (db.Database.IsSqlServer())
        {
            // The ingest assigns change_log versions itself.
            await db.Database.ExecuteSqlRawAsync("SET IDENTITY_INSERT change_log ON", ct);
        }
        var tracked = new Dictionary<string, StudentRow>(StringComparer.Ordinal);
        foreach (var change in write.Changes)
        {
            if (change.Student is { } student)
            {
                Track(db, tracked, student);
            }
            db.ChangeLog.Add(change.Log);
            if (change.DuplicateCase is { } duplicateCase)
            {
                db.DuplicateCases.Add(duplicateCase);
            }
            await db.SaveChangesAsync(ct);
        }
        var school = write.School;
        var entry = db.Schools.Attach(new SchoolRow
        {
            Code = school.Code,
            Name = school.Name,
            RegionCode = school.RegionCode,
            HighWaterMark = school.HighWaterMark,
            NextAssignedSerial = school.NextAssignedSerial,
        });
        entry.Property(s => s.HighWaterMark).IsModified = true;
        entry.Property(s => s.NextAssignedSerial).IsModified = true;
        await db.SaveChangesAsync(ct);
        db.ChangeTracker.Clear();
    }

    private static void Track(AuthorityDbContext db, Dictionary<string, StudentRow> tracked, StudentWrite student)
    {
        if (tracked.TryGetValue(student.Row.NationalStudentNumber, out var row))
        {
            db.Entry(row).CurrentValues.SetValues(student.Row);
            return;
        }
        row = student.Row.Copy();
        if (student.IsNew)
        {
            db.Students.Add(row);
        }
        else
        {
            db.Students.Update(row);
        }
        tracked[row.NationalStudentNumber] = row;
    }
}
