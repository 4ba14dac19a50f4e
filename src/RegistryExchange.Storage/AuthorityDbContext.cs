using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using OpenIddict.EntityFrameworkCore.Models;
using RegistryExchange.Storage.Model;

namespace RegistryExchange.Storage;

/// <summary>
/// The authority's registry store. Tables and columns are snake_case on every provider; enums are stored as their
/// names. No foreign keys: rows are keyed so the tables can later be distributed by school.
/// </summary>
public sealed class AuthorityDbContext(DbContextOptions<AuthorityDbContext> options) : DbContext(options)
{
    public DbSet<SchoolRow> Schools => Set<SchoolRow>();
    public DbSet<StudentRow> Students => Set<StudentRow>();
    public DbSet<ChangeLogRow> ChangeLog => Set<ChangeLogRow>();
    public DbSet<DuplicateCaseRow> DuplicateCases => Set<DuplicateCaseRow>();
    public DbSet<AuditEntryRow> AuditEntries => Set<AuditEntryRow>();
    public DbSet<AuditSubjectRow> AuditSubjects => Set<AuditSubjectRow>();
    public DbSet<AuditCheckpointRow> AuditCheckpoints => Set<AuditCheckpointRow>();

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite hands DateTime back unspecified; everything we store is UTC.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        configurationBuilder.Properties<DateTime?>().HaveConversion<UtcDateTimeConverter>();
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ConfigureSchools(modelBuilder.Entity<SchoolRow>());
        ConfigureStudents(modelBuilder.Entity<StudentRow>());
        ConfigureChangeLog(modelBuilder.Entity<ChangeLogRow>());
        ConfigureDuplicateCases(modelBuilder.Entity<DuplicateCaseRow>());
        ConfigureAudit(modelBuilder);
        ConfigureOpenIddict(modelBuilder);
        ApplySnakeCase(modelBuilder.Model);
    }

    private static void ConfigureSchools(EntityTypeBuilder<SchoolRow> e)
    {
        e.ToTable("schools");
        e.HasKey(s => s.Code);
        e.Property(s => s.Code).HasMaxLength(32);
        e.Property(s => s.Name).HasMaxLength(200);
        e.Property(s => s.RegionCode).HasMaxLength(6);
    }

    private static void ConfigureStudents(EntityTypeBuilder<StudentRow> e)
    {
        e.ToTable("students");
        e.HasKey(s => s.NationalStudentNumber);
        e.Property(s => s.NationalStudentNumber).HasMaxLength(32);
        e.Property(s => s.OwnerSchoolCode).HasMaxLength(32);
        e.Property(s => s.LocalId).HasMaxLength(64);
        e.Property(s => s.IdNumber).HasMaxLength(32);
        e.Property(s => s.Status).HasConversion<string>().HasMaxLength(32);
        e.HasIndex(s => new { s.OwnerSchoolCode, s.LocalId }).IsUnique();
        e.HasIndex(s => s.IdNumber).IsUnique();
    }

    private static void ConfigureChangeLog(EntityTypeBuilder<ChangeLogRow> e)
    {
        e.ToTable("change_log");
        e.HasKey(c => c.Version);
        // An identity for tools that insert without a version; the ingest assigns versions itself under the apply lock.
        e.Property(c => c.Version).ValueGeneratedOnAdd();
        e.Property(c => c.SchoolCode).HasMaxLength(32);
        e.Property(c => c.StudentLocalId).HasMaxLength(64);
        e.Property(c => c.NationalStudentNumber).HasMaxLength(32);
        e.Property(c => c.Outcome).HasConversion<string>().HasMaxLength(16);
        e.Property(c => c.RejectionReason).HasConversion<string>().HasMaxLength(32);
        e.Property(c => c.Message).HasMaxLength(2000);
        e.Property(c => c.Kind).HasConversion<string>().HasMaxLength(16);
        e.Property(c => c.StatusAfter).HasConversion<string>().HasMaxLength(32);
        e.HasIndex(c => new { c.SchoolCode, c.Sequence }).IsUnique();
    }

    private static void ConfigureDuplicateCases(EntityTypeBuilder<DuplicateCaseRow> e)
    {
        e.ToTable("duplicate_cases");
        e.HasKey(c => c.Id);
        e.Property(c => c.Id).ValueGeneratedOnAdd();
        e.Property(c => c.IdNumber).HasMaxLength(32);
        e.Property(c => c.ExistingNationalStudentNumber).HasMaxLength(32);
        e.Property(c => c.ExistingSchoolCode).HasMaxLength(32);
        e.Property(c => c.ClaimingSchoolCode).HasMaxLength(32);
        e.Property(c => c.ClaimingLocalId).HasMaxLength(64);
        e.Property(c => c.State).HasConversion<string>().HasMaxLength(16);
        e.Property(c => c.Resolution).HasConversion<string>().HasMaxLength(32);
        e.Property(c => c.Note).HasMaxLength(1000);
        e.HasIndex(c => new { c.State, c.Id });
    }

    private static void ConfigureAudit(ModelBuilder modelBuilder)
    {
        var entry = modelBuilder.Entity<AuditEntryRow>();
        entry.ToTable("audit_entries");
        entry.HasKey(a => a.Sequence);
        entry.Property(a => a.Sequence).ValueGeneratedNever();
        entry.Property(a => a.ActorClientId).HasMaxLength(100);
        entry.Property(a => a.ActorKind).HasMaxLength(16);
        entry.Property(a => a.ActorSchoolCode).HasMaxLength(32);
        entry.Property(a => a.Action).HasMaxLength(64);
        entry.Property(a => a.Purpose).HasMaxLength(200);
        entry.Property(a => a.Detail).HasMaxLength(1000);
        entry.Property(a => a.PreviousHash).HasMaxLength(32);
        entry.Property(a => a.Hash).HasMaxLength(32);
        entry.HasIndex(a => new { a.ActorClientId, a.Sequence });

        var subject = modelBuilder.Entity<AuditSubjectRow>();
        subject.ToTable("audit_subjects");
        subject.HasKey(s => new { s.EntrySequence, s.StudentKey });
        subject.Property(s => s.StudentKey).HasMaxLength(100);
        subject.HasIndex(s => new { s.StudentKey, s.EntrySequence });

        var checkpoint = modelBuilder.Entity<AuditCheckpointRow>();
        checkpoint.ToTable("audit_checkpoints");
        checkpoint.HasKey(c => c.Sequence);
        checkpoint.Property(c => c.Sequence).ValueGeneratedNever();
        checkpoint.Property(c => c.Hash).HasMaxLength(32);
        checkpoint.Property(c => c.KeyId).HasMaxLength(100);
        checkpoint.Property(c => c.Signature).HasMaxLength(2000);
    }

    /// <summary>OpenIddict's applications, authorizations, scopes and tokens, in this store under <c>oidc_</c> names.</summary>
    private static void ConfigureOpenIddict(ModelBuilder modelBuilder)
    {
        modelBuilder.UseOpenIddict();
        modelBuilder.Entity<OpenIddictEntityFrameworkCoreApplication>().ToTable("oidc_applications");
        modelBuilder.Entity<OpenIddictEntityFrameworkCoreAuthorization>().ToTable("oidc_authorizations");
        modelBuilder.Entity<OpenIddictEntityFrameworkCoreScope>().ToTable("oidc_scopes");
        modelBuilder.Entity<OpenIddictEntityFrameworkCoreToken>().ToTable("oidc_tokens");
    }

    private static void ApplySnakeCase(IMutableModel model)
    {
        foreach (var entity in model.GetEntityTypes())
        {
            var table = entity.GetTableName()!;
            foreach (var property in entity.GetProperties())
            {
                property.SetColumnName(ToSnakeCase(property.Name));
            }
            foreach (var key in entity.GetKeys())
            {
                key.SetName("pk_" + table);
            }
            foreach (var index in entity.GetIndexes())
            {
                var columns = string.Join("_", index.Properties.Select(p => ToSnakeCase(p.Name)));
                index.SetDatabaseName((index.IsUnique ? "ux_" : "ix_") + table + "_" + columns);
            }
        }
    }

    public static string ToSnakeCase(string name)
    {
        var sb = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
            {
                sb.Append('_');
            }
            sb.Append(char.ToLowerInvariant(name[i]));
        }
        return sb.ToString();
    }

    internal sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
        v => v.Kind == DateTimeKind.Utc ? v : v.ToUniversalTime(),
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
}
