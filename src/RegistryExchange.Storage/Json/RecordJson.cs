using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using RegistryExchange.Domain.Students;

namespace RegistryExchange.Storage.Json;

/// <summary>What students.record_json holds: the school-maintained details and the full status history.</summary>
public sealed record StoredRecord(StudentDetails Details, IReadOnlyList<StatusEvent> History);

/// <summary>Serialises the record with a source-generated context (no reflection on the hot path).</summary>
public static class RecordJson
{
    // Names and addresses are mostly CJK: keep them readable (and 3 bytes, not 6) in the column.
    // Relaxed escaping is safe here because the JSON never reaches HTML.
    private static readonly RecordJsonContext Context = new(new JsonSerializerOptions(RecordJsonContext.Default.Options)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    public static string Serialize(StudentDetails details, IReadOnlyList<StatusEvent> history) =>
        JsonSerializer.Serialize(new StoredRecord(details, history), Context.StoredRecord);

    public static StoredRecord Deserialize(string json) =>
        JsonSerializer.Deserialize(json, Context.StoredRecord) ?? throw new JsonException("record_json is null");
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault)]
[JsonSerializable(typeof(StoredRecord))]
internal sealed partial class RecordJsonContext : JsonSerializerContext;
