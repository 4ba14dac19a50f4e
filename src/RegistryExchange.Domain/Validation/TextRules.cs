using System.Globalization;
using System.Text;

namespace RegistryExchange.Domain.Validation;

/// <summary>
/// Rules for free text. Lengths count Unicode scalar values, so a name with 𠮷 (outside the BMP) counts one per
/// character. Control characters, unpaired surrogates and invisible formatting characters (direction overrides,
/// zero-width characters) are refused: they make records that look alike but do not match.
/// </summary>
public static class TextRules
{
    public static string? Check(string value, int maxLength, bool required, bool allowNewlines = false)
    {
        if (value.Length == 0)
        {
            return required ? "is required" : null;
        }
        var count = 0;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= value.Length || !char.IsLowSurrogate(value[i + 1]))
                {
                    return $"has an unpaired surrogate at position {i + 1}";
                }
                var codePoint = char.ConvertToUtf32(c, value[i + 1]);
                if (CharUnicodeInfo.GetUnicodeCategory(codePoint) == UnicodeCategory.Format)
                {
                    return $"contains invisible formatting character U+{codePoint:X4}";
                }
                i++;
            }
            else if (char.IsLowSurrogate(c))
            {
                return $"has an unpaired surrogate at position {i + 1}";
            }
            else if (char.IsControl(c) && !(allowNewlines && c is '\n' or '\r'))
            {
                return $"contains control character U+{(int)c:X4}";
            }
            else if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.Format)
            {
                return $"contains invisible formatting character U+{(int)c:X4}";
            }
            else if (CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator)
            {
                return $"contains line or paragraph separator U+{(int)c:X4}";
            }
            count++;
        }
        if (value.Trim().Length == 0)
        {
            return "is blank";
        }
        if (count > maxLength)
        {
            return $"is {count} characters long; at most {maxLength} are allowed";
        }
        return null;
    }

    /// <summary>A person's name: letters of any script (including CJK extensions beyond the BMP), the middle dot of
    /// minority and foreign names, spaces, hyphens and apostrophes.</summary>
    public static string? CheckPersonName(string value, bool required)
    {
        var basic = Check(value, 50, required);
        if (basic is not null || value.Length == 0)
        {
            return basic;
        }
        foreach (var rune in value.EnumerateRunes())
        {
            var ok = Rune.IsLetter(rune)
                || Rune.GetUnicodeCategory(rune) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark
                || rune.Value is '·' or '•' or '・' or ' ' or '-' or '\'' or '.';
            if (!ok)
            {
                return $"contains '{rune}', which does not belong in a name";
            }
        }
        return null;
    }

    public static string? CheckPhone(string value, bool required)
    {
        if (value.Length == 0)
        {
            return required ? "is required" : null;
        }
        if (value.Length > 20 || !value.All(c => char.IsAsciiDigit(c) || c is '+' or '-' or ' '))
        {
            return "must be at most 20 digits, spaces, '+' or '-'";
        }
        return null;
    }
}
