using System.Globalization;

namespace RegistryExchange.Domain.Codes;

/// <summary>
/// A citizen ID number (身份证号码) under GB 11643-1999: region code, birth date, sequence and ISO 7064 check
/// character. Only valid numbers can be constructed.
/// </summary>
public sealed class IdNumber : IEquatable<IdNumber>
{
    public const int Length = 18;
    private static readonly int[] Weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    private const string CheckCharacters = "10X98765432";

    private IdNumber(string value, DateOnly birthDate)
    {
        Value = value;
        BirthDate = birthDate;
    }

    public string Value { get; }
    public DateOnly BirthDate { get; }
    public string RegionCode => Value[..6];
    public string ProvinceCode => Value[..2];

    /// <summary>Odd sequence numbers are given to men, even to women.</summary>
    public bool IsMale => (Value[16] - '0') % 2 == 1;

    /// <summary>Parses and checks a number; the error says what is wrong in words a clerk can act on.</summary>
    public static bool TryParse(string? text, out IdNumber? idNumber, out string error)
    {
        idNumber = null;
        if (string.IsNullOrEmpty(text))
        {
            error = "is empty";
            return false;
        }
        if (text.Length != Length)
        {
            error = $"must be {Length} characters, got {text.Length}";
            return false;
        }
        for (var i = 0; i < 17; i++)
        {
            if (!char.IsAsciiDigit(text[i]))
            {
                error = $"character {i + 1} must be a digit";
                return false;
            }
        }
        var last = text[17];
        if (!char.IsAsciiDigit(last) && last != 'X')
        {
            error = "the check character must be a digit or an upper-case X";
            return false;
        }
        if (!Regions.IsKnownProvince(text[..2]))
        {
            error = $"region code {text[..6]} names no province of GB/T 2260";
            return false;
        }
        if (!DateOnly.TryParseExact(text.AsSpan(6, 8), "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var birth)
            || birth.Year < 1900)
        {
            error = $"birth date {text.Substring(6, 8)} is not a real date";
            return false;
        }
        var expected = CheckCharacterFor(text.AsSpan(0, 17));
        if (last != expected)
        {
            error = $"check character is {last} but the first 17 characters give {expected}";
            return false;
        }
        idNumber = new IdNumber(text, birth);
        error = "";
        return true;
    }

    public static IdNumber Parse(string text) =>
        TryParse(text, out var id, out var error) ? id! : throw new FormatException($"ID number {Mask(text)} {error}");

    public static char CheckCharacterFor(ReadOnlySpan<char> first17)
    {
        var sum = 0;
        for (var i = 0; i < 17; i++)
        {
            sum += (first17[i] - '0') * Weights[i];
        }
        return CheckCharacters[sum % 11];
    }

    /// <summary>Keeps the region code and the last four characters; never log an ID number any other way.</summary>
    public static string Mask(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }
        if (text.Length <= 10)
        {
            return new string('*', text.Length);
        }
        return string.Concat(text.AsSpan(0, 6), new string('*', text.Length - 10), text.AsSpan(text.Length - 4));
    }

    public string Masked => Mask(Value);

    public bool Equals(IdNumber? other) => other is not null && other.Value == Value;
    public override bool Equals(object? obj) => Equals(obj as IdNumber);
    public override int GetHashCode() => Value.GetHashCode(StringComparison.Ordinal);

    /// <summary>Masked on purpose: an ID number must not reach a log through string interpolation.</summary>
    public override string ToString() => Masked;
}
