using CsCheck;
using RegistryExchange.Domain.Codes;

namespace RegistryExchange.Domain.Tests;

public class IdNumberTests
{
    private const string Alphabet = "0123456789X";

    // Valid numbers with different check characters (X, 0, 1 and an ordinary digit) and provinces.
    private static readonly string[] ValidIdValues =
    [
        Samples.PublishedId,
        Samples.StudentId,
        Samples.IdWithCheck("44030620000229004"),
        Samples.IdWithCheck("65010219991231997"),
        Samples.IdWithCheck("82000019000101001"),
        FindIdEndingWith('0'),
        FindIdEndingWith('1'),
    ];

    public static TheoryData<string> ValidIds => new(ValidIdValues);

    private static string FindIdEndingWith(char check)
    {
        for (var seq = 1; ; seq++)
        {
            var id = Samples.IdWithCheck($"32010220120815{seq:D3}");
            if (id[17] == check)
            {
                return id;
            }
        }
    }

    [Fact]
    public void The_published_example_11010519491231002X_is_valid()
    {
        Assert.True(IdNumber.TryParse(Samples.PublishedId, out var id, out var error), error);
        Assert.Equal("", error);
        Assert.NotNull(id);
        Assert.Equal(Samples.PublishedId, id.Value);
        Assert.Equal("110105", id.RegionCode);
        Assert.Equal("11", id.ProvinceCode);
        Assert.Equal(new DateOnly(1949, 12, 31), id.BirthDate);
        Assert.False(id.IsMale);
    }

    [Fact]
    public void The_check_character_of_the_published_example_is_X()
    {
        Assert.Equal('X', IdNumber.CheckCharacterFor("11010519491231002"));
    }

    [Theory]
    [MemberData(nameof(ValidIds))]
    public void A_number_with_the_right_check_character_is_valid(string text)
    {
        Assert.True(IdNumber.TryParse(text, out var id, out var error), error);
        Assert.Equal(text, id!.Value);
        Assert.Equal(text[17], IdNumber.CheckCharacterFor(text.AsSpan(0, 17)));
    }

    [Fact]
    public void The_test_ids_cover_the_check_characters_X_0_and_1()
    {
        var checks = ValidIdValues.Select(id => id[17]).ToHashSet();
        Assert.Superset(new HashSet<char> { 'X', '0', '1' }, checks);
    }

    public static TheoryData<int, char> EverySingleCharacterCorruption()
    {
        var data = new TheoryData<int, char>();
        for (var position = 0; position < IdNumber.Length; position++)
        {
            foreach (var c in Alphabet.Where(c => c != Samples.PublishedId[position]))
            {
                data.Add(position, c);
            }
        }
        return data;
    }

    [Fact]
    public void There_are_180_single_character_corruptions_of_an_18_character_number()
    {
        Assert.Equal(18 * 10, EverySingleCharacterCorruption().Count);
    }

    [Theory]
    [MemberData(nameof(EverySingleCharacterCorruption))]
    public void Every_single_character_corruption_of_the_published_example_is_caught(int position, char replacement)
    {
        var corrupted = Replace(Samples.PublishedId, position, replacement);

        Assert.False(IdNumber.TryParse(corrupted, out var id, out var error));
        Assert.Null(id);
        Assert.NotEmpty(error);
    }

    [Theory]
    [MemberData(nameof(ValidIds))]
    public void Every_single_character_corruption_of_any_valid_number_is_caught(string valid)
    {
        var accepted = new List<string>();
        for (var position = 0; position < IdNumber.Length; position++)
        {
            foreach (var c in Alphabet.Where(c => c != valid[position]))
            {
                var corrupted = Replace(valid, position, c);
                if (IdNumber.TryParse(corrupted, out _, out _))
                {
                    accepted.Add(corrupted);
                }
            }
        }
        Assert.Empty(accepted);
    }

    [Fact]
    public void A_digit_changed_in_the_first_17_is_caught_by_the_check_character_alone()
    {
        // Only the check can see these: region and date stay plausible.
        var valid = Samples.PublishedId;
        foreach (var position in new[] { 4, 5, 14, 15, 16 })
        {
            foreach (var c in "0123456789".Where(c => c != valid[position]))
            {
                Assert.False(IdNumber.TryParse(Replace(valid, position, c), out _, out var error));
                Assert.StartsWith("check character is", error, StringComparison.Ordinal);
            }
        }
    }

    [Theory]
    [MemberData(nameof(ValidIds))]
    public void Swapping_two_different_adjacent_characters_is_caught(string valid)
    {
        // MOD 11-2 weights of neighbours differ by a factor of 2 modulo 11, so every swap of different characters
        // changes the sum; the check allows no exception, including a swap with the check character.
        var swaps = 0;
        for (var i = 0; i < IdNumber.Length - 1; i++)
        {
            if (valid[i] == valid[i + 1])
            {
                continue;
            }
            var swapped = Swap(valid, i);
            Assert.False(IdNumber.TryParse(swapped, out _, out _), $"swap at {i + 1}/{i + 2} gave {swapped}, which passed");
            swaps++;
        }
        Assert.True(swaps > 0);
    }

    [Fact]
    public void Swapping_the_last_sequence_digit_and_the_check_digit_is_caught()
    {
        var valid = FindIdEndingWith('0');
        Assert.NotEqual(valid[16], valid[17]);
        Assert.False(IdNumber.TryParse(Swap(valid, 16), out _, out _));
    }

    [Fact]
    public void Any_generated_valid_number_parses_and_any_corruption_or_adjacent_swap_of_it_is_caught()
    {
        var provinces = new[] { "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82" };
        var genId =
            from province in Gen.OneOf(provinces)
            from rest in Gen.Int[0, 9999]
            from birth in Gen.Int[new DateOnly(1900, 1, 1).DayNumber, new DateOnly(2025, 12, 31).DayNumber]
            from sequence in Gen.Int[0, 999]
            select Samples.IdWithCheck(province + rest.ToString("D4", System.Globalization.CultureInfo.InvariantCulture)
                + DateOnly.FromDayNumber(birth).ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture)
                + sequence.ToString("D3", System.Globalization.CultureInfo.InvariantCulture));

        Gen.Select(genId, Gen.Int[0, 17], Gen.Char[Alphabet], Gen.Int[0, 16]).Sample((id, position, replacement, swapAt) =>
        {
            Assert.True(IdNumber.TryParse(id, out var parsed, out var error), id + ": " + error);
            Assert.Equal(id.Substring(6, 8), parsed!.BirthDate.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal((id[16] - '0') % 2 == 1, parsed.IsMale);
            if (replacement != id[position])
            {
                Assert.False(IdNumber.TryParse(Replace(id, position, replacement), out _, out _));
            }
            if (id[swapAt] != id[swapAt + 1])
            {
                Assert.False(IdNumber.TryParse(Swap(id, swapAt), out _, out _));
            }
        }, iter: 2000);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1101051949123100")]
    [InlineData("11010519491231002")]
    [InlineData("11010519491231002X0")]
    [InlineData("110105491231002")] // the old 15-digit form
    [InlineData(" 11010519491231002X")]
    [InlineData("11010519491231002X ")]
    public void A_number_of_the_wrong_length_is_refused(string text)
    {
        Assert.False(IdNumber.TryParse(text, out _, out var error));
        Assert.Equal(text.Length == 0 ? "is empty" : $"must be 18 characters, got {text.Length}", error);
    }

    [Fact]
    public void A_null_number_is_refused_as_empty()
    {
        Assert.False(IdNumber.TryParse(null, out _, out var error));
        Assert.Equal("is empty", error);
    }

    [Fact]
    public void A_lower_case_x_check_character_is_refused()
    {
        Assert.False(IdNumber.TryParse("11010519491231002x", out _, out var error));
        Assert.Equal("the check character must be a digit or an upper-case X", error);
    }

    [Theory]
    [InlineData("1101051949123100XX", 17)]
    [InlineData("X10105194912310020", 1)]
    [InlineData("11010519491231O02X", 15)] // letter O for zero
    [InlineData("１1010519491231002X", 1)] // full-width digit one
    [InlineData("110105 9491231002X", 7)]
    [InlineData("110105-9491231002X", 7)]
    public void A_non_digit_among_the_first_17_characters_is_refused(string text, int position)
    {
        Assert.False(IdNumber.TryParse(text, out _, out var error));
        Assert.Equal($"character {position} must be a digit", error);
    }

    [Theory]
    [InlineData("11010519491231002Y")]
    [InlineData("11010519491231002*")]
    [InlineData("11010519491231002Ⅹ")] // Roman numeral ten
    [InlineData("11010519491231002ｘ")] // full-width x
    public void A_check_character_other_than_a_digit_or_X_is_refused(string text)
    {
        Assert.False(IdNumber.TryParse(text, out _, out var error));
        Assert.Equal("the check character must be a digit or an upper-case X", error);
    }

    [Theory]
    [InlineData("00")]
    [InlineData("10")]
    [InlineData("16")]
    [InlineData("20")]
    [InlineData("24")]
    [InlineData("38")]
    [InlineData("47")]
    [InlineData("55")]
    [InlineData("66")]
    [InlineData("72")]
    [InlineData("80")]
    [InlineData("83")]
    [InlineData("91")]
    [InlineData("99")]
    public void A_number_whose_region_names_no_province_is_refused(string province)
    {
        var text = Samples.IdWithCheck(province + "010519491231002");
        Assert.False(IdNumber.TryParse(text, out _, out var error));
        Assert.Equal($"region code {text[..6]} names no province of GB/T 2260", error);
    }

    [Theory]
    [InlineData("20230230")]
    [InlineData("20230229")]
    [InlineData("19000229")] // 1900 was not a leap year
    [InlineData("20231301")]
    [InlineData("20230001")]
    [InlineData("20230100")]
    [InlineData("20230431")]
    [InlineData("00000000")]
    [InlineData("18991231")] // before any living person's record
    public void A_number_with_an_impossible_birth_date_is_refused(string yyyymmdd)
    {
        var text = Samples.IdWithCheck("110105" + yyyymmdd + "002");
        Assert.False(IdNumber.TryParse(text, out _, out var error));
        Assert.Equal($"birth date {yyyymmdd} is not a real date", error);
    }

    [Fact]
    public void A_leap_day_birth_date_is_accepted_in_a_leap_year()
    {
        Assert.True(IdNumber.TryParse(Samples.IdWithCheck("11010520000229002"), out var id, out var error), error);
        Assert.Equal(new DateOnly(2000, 2, 29), id!.BirthDate);
    }

    [Theory]
    [InlineData("001", true)]
    [InlineData("002", false)]
    [InlineData("119", true)]
    [InlineData("990", false)]
    public void An_odd_sequence_number_means_male_and_an_even_one_female(string sequence, bool male)
    {
        var id = IdNumber.Parse(Samples.IdWithCheck("11010520000101" + sequence));
        Assert.Equal(male, id.IsMale);
    }

    [Fact]
    public void Masking_keeps_the_first_six_and_the_last_four_characters_only()
    {
        Assert.Equal("110105********002X", IdNumber.Mask(Samples.PublishedId));
        Assert.Equal("110105********002X", IdNumber.Parse(Samples.PublishedId).Masked);
    }

    [Theory]
    [MemberData(nameof(ValidIds))]
    public void Masking_hides_the_birth_date_and_the_first_sequence_digits_of_any_number(string valid)
    {
        var masked = IdNumber.Mask(valid);

        Assert.Equal(valid.Length, masked.Length);
        Assert.Equal(valid[..6], masked[..6]);
        Assert.Equal(valid[^4..], masked[^4..]);
        Assert.Equal(new string('*', 8), masked[6..14]);
    }

    [Theory]
    [InlineData(null, "")]
    [InlineData("", "")]
    [InlineData("1234", "****")]
    [InlineData("1234567890", "**********")]
    [InlineData("12345678901", "123456*8901")]
    public void Masking_a_short_or_empty_text_reveals_nothing_more_than_six_and_four(string? text, string expected)
    {
        Assert.Equal(expected, IdNumber.Mask(text));
    }

    [Fact]
    public void An_id_number_prints_masked_so_it_cannot_leak_into_a_log()
    {
        var id = IdNumber.Parse(Samples.PublishedId);
        Assert.Equal("110105********002X", id.ToString());
        Assert.Equal("110105********002X", $"{id}");
    }

    [Fact]
    public void Parsing_an_invalid_number_throws_a_format_exception_that_does_not_reveal_it()
    {
        var bad = "110105194912310021";
        var ex = Assert.Throws<FormatException>(() => IdNumber.Parse(bad));
        Assert.DoesNotContain(bad, ex.Message, StringComparison.Ordinal);
        Assert.Contains("110105********0021", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_id_numbers_with_the_same_value_are_equal()
    {
        var a = IdNumber.Parse(Samples.PublishedId);
        var b = IdNumber.Parse(Samples.PublishedId);
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, IdNumber.Parse(Samples.StudentId));
    }

    private static string Replace(string text, int position, char c) =>
        string.Concat(text.AsSpan(0, position), c.ToString(), text.AsSpan(position + 1));

    private static string Swap(string text, int i)
    {
        var chars = text.ToCharArray();
        (chars[i], chars[i + 1]) = (chars[i + 1], chars[i]);
        return new string(chars);
    }
}
