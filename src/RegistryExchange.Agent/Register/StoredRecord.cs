using System.Text.Json;
using System.Text.Json.Serialization;
using RegistryExchange.Agent.Storage;
using RegistryExchange.Domain.Students;

namespace RegistryExchange.Agent.Register;

/// <summary>What <c>students.record_json</c> holds: the details and the full status history.</summary>
public sealed record StoredRecord(StudentDetails Details, IReadOnlyList<StatusEvent> History)
{
    public string ToJson() => JsonSerializer.Serialize(this, StoredRecordJson.Default.StoredRecord);

    public static StoredRecord FromJson(string json) =>
        JsonSerializer.Deserialize(json, StoredRecordJson.Default.StoredRecord)
        ?? throw new InvalidDataException("record_json is empty");

    public static Student ToStudent(StudentRow row, string schoolCode)
    {
        var stored = FromJson(row.RecordJson);
        return Student.Restore(row.LocalId, schoolCode, row.NationalStudentNumber, row.Status, stored.Details, stored.History, row.Version);
    }

    public static StudentRow ToRow(Student student, DateTimeOffset now) => new()
    {
        LocalId = student.LocalId,
        NationalStudentNumber = student.NationalStudentNumber,
        Status = student.Status,
        Version = student.Version,
        RecordJson = new StoredRecord(student.Details, student.History).ToJson(),
        UpdatedAt = now,
    };
}

// Source-generated: the bulk import serialises a record per row.
[JsonSourceGenerationOptions(UseStringEnumConverter = true, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(StoredRecord))]
internal sealed partial class StoredRecordJson : JsonSerializerContext;
