namespace RegistryExchange.Authority.Ingest;

/// <summary>Dates as the schools see them and timestamps as the store keeps them.</summary>
public static class RegistryClock
{
    // Schools are in China Standard Time (UTC+8, no daylight saving); "today" for validation must be theirs,
    // or a birth date entered this morning in Beijing would look like the future.
    private static readonly TimeSpan ChinaOffset = TimeSpan.FromHours(8);

    public static DateOnly Today(TimeProvider time) => DateOnly.FromDateTime(time.GetUtcNow().ToOffset(ChinaOffset).DateTime);

    /// <summary>Microsecond precision, the finest every provider keeps, so a replayed result equals the original byte for byte.</summary>
    public static DateTime Now(TimeProvider time)
    {
        var utc = time.GetUtcNow().UtcDateTime;
        return new DateTime(utc.Ticks - utc.Ticks % 10, DateTimeKind.Utc);
    }
}
