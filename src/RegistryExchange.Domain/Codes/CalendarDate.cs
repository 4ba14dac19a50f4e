using System.Globalization;

namespace RegistryExchange.Domain.Codes;

/// <summary>Strict ISO calendar dates ("YYYY-MM-DD") that exist on the calendar.</summary>
public static class CalendarDate
{
    /// <summary>Parsed by hand: every record carries several dates and DateOnly.TryParseExact was a tenth of the
    /// authority's ingest time.</summary>
    public static bool TryParse(string? text, out DateOnly date)
    {
        date = default;
        if (text is not { Length: 10 } || text[4] != '-' || text[7] != '-')
        {
            return false;
        }
        if (!TryDigits(text, 0, 4, out var year) || !TryDigits(text, 5, 2, out var month) || !TryDigits(text, 8, 2, out var day))
        {
            return false;
        }
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            return false;
        }
        date = new DateOnly(year, month, day);
        return true;
    }

    private static bool TryDigits(string text, int start, int length, out int value)
    {
        value = 0;
        for (var i = start; i < start + length; i++)
        {
            var c = text[i];
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
            value = value * 10 + (c - '0');
        }
        return true;
    }

    public static string Format(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
