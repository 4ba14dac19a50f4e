using NpgsqlTypes;
using RegistryExchange.Storage.Model;

namespace RegistryExchange.Storage.Ingest;

/// <summary>One column as the bulk writers send it. Values match what EF Core stores (enum names, UTC DateTime).</summary>
internal sealed record Column<T>(string Name, Func<T, object?> Value, NpgsqlDbType PgType, Type ClrType);

internal static class Columns
{
    public static readonly Column<ChangeLogRow>[] ChangeLog =
    [
        new("version", r => r.Version, NpgsqlDbType.Bigint, typeof(long)),
        new("school_code", r => r.SchoolCode, NpgsqlDbType.Varchar, typeof(string)),
        new("sequence", r => r.Sequence, NpgsqlDbType.Bigint, typeof(long)),
        new("student_local_id", r => r.StudentLocalId, NpgsqlDbType.Varchar, typeof(string)),
        new("national_student_number", r => r.NationalStudentNumber, NpgsqlDbType.Varchar, typeof(string)),
        new("outcome", r => r.Outcome.ToString(), NpgsqlDbType.Varchar, typeof(string)),
        new("rejection_reason", r => r.RejectionReason?.ToString(), NpgsqlDbType.Varchar, typeof(string)),
        new("message", r => r.Message, NpgsqlDbType.Varchar, typeof(string)),
        new("kind", r => r.Kind.ToString(), NpgsqlDbType.Varchar, typeof(string)),
        new("status_after", r => r.StatusAfter?.ToString(), NpgsqlDbType.Varchar, typeof(string)),
        new("record_ended", r => r.RecordEnded, NpgsqlDbType.Boolean, typeof(bool)),
        new("record_version", r => r.RecordVersion, NpgsqlDbType.Bigint, typeof(long)),
        new("applied_at", r => r.AppliedAt, NpgsqlDbType.TimestampTz, typeof(DateTime)),
        new("payload", r => r.Payload, NpgsqlDbType.Bytea, typeof(byte[])),
    ];

    public static readonly Column<StudentRow>[] Students =
    [
        new("national_student_number", r => r.NationalStudentNumber, NpgsqlDbType.Varchar, typeof(string)),
        new("owner_school_code", r => r.OwnerSchoolCode, NpgsqlDbType.Varchar, typeof(string)),
        new("local_id", r => r.LocalId, NpgsqlDbType.Varchar, typeof(string)),
        new("id_number", r => r.IdNumber, NpgsqlDbType.Varchar, typeof(string)),
        new("status", r => r.Status.ToString(), NpgsqlDbType.Varchar, typeof(string)),
        new("version", r => r.Version, NpgsqlDbType.Bigint, typeof(long)),
        new("record_json", r => r.RecordJson, NpgsqlDbType.Text, typeof(string)),
        new("updated_at", r => r.UpdatedAt, NpgsqlDbType.TimestampTz, typeof(DateTime)),
    ];

    /// <summary>Without the id: the database assigns it.</summary>
    public static readonly Column<DuplicateCaseRow>[] DuplicateCases =
    [
        new("id_number", r => r.IdNumber, NpgsqlDbType.Varchar, typeof(string)),
        new("existing_national_student_number", r => r.ExistingNationalStudentNumber, NpgsqlDbType.Varchar, typeof(string)),
        new("existing_school_code", r => r.ExistingSchoolCode, NpgsqlDbType.Varchar, typeof(string)),
        new("claiming_school_code", r => r.ClaimingSchoolCode, NpgsqlDbType.Varchar, typeof(string)),
        new("claiming_local_id", r => r.ClaimingLocalId, NpgsqlDbType.Varchar, typeof(string)),
        new("claiming_sequence", r => r.ClaimingSequence, NpgsqlDbType.Bigint, typeof(long)),
        new("state", r => r.State.ToString(), NpgsqlDbType.Varchar, typeof(string)),
        new("resolution", r => r.Resolution?.ToString(), NpgsqlDbType.Varchar, typeof(string)),
        new("note", r => r.Note, NpgsqlDbType.Varchar, typeof(string)),
        new("opened_at", r => r.OpenedAt, NpgsqlDbType.TimestampTz, typeof(DateTime)),
        new("resolved_at", r => r.ResolvedAt, NpgsqlDbType.TimestampTz, typeof(DateTime)),
    ];

    public static string List<T>(IEnumerable<Column<T>> columns) => string.Join(", ", columns.Select(c => c.Name));

    /// <summary>"col = src.col" for every column but the key.</summary>
    public static string Assignments<T>(IEnumerable<Column<T>> columns, string source, string key) =>
        string.Join(", ", columns.Where(c => c.Name != key).Select(c => $"{c.Name} = {source}.{c.Name}"));
}
