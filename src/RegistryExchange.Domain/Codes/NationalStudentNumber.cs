using System.Globalization;

namespace RegistryExchange.Domain.Codes;

/// <summary>
/// 学籍号: one per person for life. "G" + the ID number when the student has one; otherwise "J" + the school's
/// region code + an 11-digit serial the authority assigns (CNSSMIS practice).
/// </summary>
public static class NationalStudentNumber
{
    public static string ForIdNumber(IdNumber id) => "G" + id.Value;

    public static string Assigned(string regionCode, long serial)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(serial);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(serial, 99_999_999_999L);
        if (!Regions.IsValidRegionCode(regionCode))
        {
            throw new ArgumentException($"'{regionCode}' is not a GB/T 2260 region code", nameof(regionCode));
        }
        return "J" + regionCode + serial.ToString("D11", CultureInfo.InvariantCulture);
    }

    /// <summary>What <see cref="ForIdNumber"/> or <see cref="Assigned"/> could have produced: 19 or 18 characters.</summary>
    public static bool IsWellFormed(string? value) =>
        value switch
        {
            { Length: 1 + IdNumber.Length } when value[0] == 'G' => IdNumber.TryParse(value[1..], out _, out _),
            { Length: 1 + 6 + 11 } when value[0] == 'J' =>
                Regions.IsValidRegionCode(value[1..7])
                && !value.AsSpan(7).ContainsAnyExceptInRange('0', '9')
                && value.AsSpan(7).ContainsAnyExcept('0'),
            _ => false,
        };
}
