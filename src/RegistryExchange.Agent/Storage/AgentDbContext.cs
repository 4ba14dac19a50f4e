using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace RegistryExchange.Agent.Storage;

/// <summary>The school's register: students, the outbox, push rejections and sync progress.</summary>
public sealed class AgentDbContext(DbContextOptions<AgentDbContext> options) : DbContext(options)
{
    public DbSet<StudentRow> Students => Set<StudentRow>();
    public DbSet<OutboxEntry> Outbox => Set<OutboxEntry>();
    public DbSet<PushRejection> PushRejections => Set<PushRejection>();
    public DbSet<SyncState> SyncState => Set<SyncState>();

    // Unix milliseconds: sortable in SQL and trivial to write from the raw bulk-import commands.
    private static readonly ValueConverter<DateTimeOffset, long> UnixMs =
        new(v => v.ToUnixTimeMilliseconds(), v => DateTimeOffset.FromUnixTimeMilliseconds(v));

    private static readonly ValueConverter<DateTimeOffset?, long?> NullableUnixMs =
        new(v => v.HasValue ? v.Value.ToUnixTimeMilliseconds() : null,
            v => v.HasValue ? DateTimeOffset.FromUnixTimeMilliseconds(v.Value) : null);

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<StudentRow>(e =>
        {
            e.ToTable("students");
            e.HasKey(s => s.LocalId);
            e.Property(s => s.LocalId).HasColumnName("local_id").HasMaxLength(64);
            e.Property(s => s.NationalStudentNumber).HasColumnName("national_student_number").HasMaxLength(19);
            e.Property(s => s.Status).HasColumnName("status").HasConversion<string>().HasMaxLength(20);
            e.Property(s => s.Version).HasColumnName("version").IsConcurrencyToken();
            e.Property(s => s.RecordJson).HasColumnName("record_json");
            e.Property(s => s.UpdatedAt).HasColumnName("updated_at").HasConversion(UnixMs);
            e.HasIndex(s => new { s.Status, s.LocalId }).HasDatabaseName("ix_students_status");
        });
        modelBuilder.Entity<OutboxEntry>(e =>
        {
            e.ToTable("outbox");
            e.HasKey(o => o.Sequence);
            e.Property(o => o.Sequence).HasColumnName("sequence").ValueGeneratedNever();
            e.Property(o => o.LocalId).HasColumnName("local_id").HasMaxLength(64);
            e.Property(o => o.Payload).HasColumnName("payload");
            e.Property(o => o.CreatedAt).HasColumnName("created_at").HasConversion(UnixMs);
        });
        modelBuilder.Entity<PushRejection>(e =>
        {
            e.ToTable("push_rejections");
            e.HasKey(r => r.Sequence);
            e.Property(r => r.Sequence).HasColumnName("sequence").ValueGeneratedNever();
            e.Property(r => r.LocalId).HasColumnName("local_id").HasMaxLength(64);
            e.Property(r => r.Reason).HasColumnName("reason").HasMaxLength(64);
            e.Property(r => r.Message).HasColumnName("message");
            e.Property(r => r.RecordedAt).HasColumnName("recorded_at").HasConversion(UnixMs);
        });
        modelBuilder.Entity<SyncState>(e =>
        {
            e.ToTable("sync_state");
            e.HasKey(s => s.Id);
            e.Property(s => s.Id).HasColumnName("id").ValueGeneratedNever();
            e.Property(s => s.AuthorityHighWaterMark).HasColumnName("authority_high_water_mark");
            e.Property(s => s.ResultsRecordedThrough).HasColumnName("results_recorded_through");
            e.Property(s => s.LastPushAt).HasColumnName("last_push_at").HasConversion(NullableUnixMs);
            e.Property(s => s.LastError).HasColumnName("last_error");
            e.HasData(new SyncState { Id = Storage.SyncState.SingletonId });
        });
    }
}
