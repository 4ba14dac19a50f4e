using System.Globalization;

namespace RegistryExchange.Domain.Codes;

/// <summary>Strict ISO calendar dates ("YYYY-MM-DD") that exist on the calendar.</summary>
public static class CalendarDate
{
    public static bool TryParse(string? text, out DateOnly date) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);

    public static string Format(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
