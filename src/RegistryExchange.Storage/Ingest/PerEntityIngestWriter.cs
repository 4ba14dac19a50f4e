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
        var inserted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var change in write.Changes)
        {
            if (change.Student is { } student)
            {
                // New in this batch: inserted by its first change, updated by the rest.
                if (student.IsNew && inserted.Add(student.Row.NationalStudentNumber))
                {
                    db.Students.Add(student.Row.Copy());
                }
                else
                {
                    db.Students.Update(student.Row.Copy());
                }
            }
            db.ChangeLog.Add(change.Log);
            if (change.DuplicateCase is { } duplicateCase)
            {
                db.DuplicateCases.Add(duplicateCase);
            }
            await db.SaveChangesAsync(ct);
            // One change per save, like a naive service; a growing tracker would make the baseline quadratic instead.
            db.ChangeTracker.Clear();
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
}
