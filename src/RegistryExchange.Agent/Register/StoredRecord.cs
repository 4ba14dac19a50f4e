using System.Text.Json;
using System.Text.Json.Serialization;
using RegistryExchange.Agent.Storage;
using RegistryExchange.Domain.Students;

namespace RegistryExchange.Agent.Register;

/// <summary>What <c>students.record_json</c> holds: the details and the full status history.</summary>
public sealed record StoredRecord(StudentDetails Details, IReadOnlyList<StatusEvent> History)
{
    // Names and addresses stay readable (and half the size) in the file: this JSON never reaches HTML.
    private static readonly StoredRecordJson Json = new(new JsonSerializerOptions(StoredRecordJson.Default.Options)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    public string ToJson() => JsonSerializer.Serialize(this, Json.StoredRecord);

    public static StoredRecord FromJson(string json) =>
        JsonSerializer.Deserialize(json, Json.StoredRecord)
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
