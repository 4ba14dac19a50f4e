using RegistryExchange.Domain.Validation;

namespace RegistryExchange.Domain.Tests;

public class TextRulesTests
{
    private const string Ji = "𠮷";   // U+20BB7, CJK Extension B: two UTF-16 code units
    private const string Yan = "䶮";  // U+4DAE, CJK Extension A

    [Theory]
    [InlineData("吉𠮷")]
    [InlineData("刘䶮")]
    [InlineData("𠮷䶮")]
    [InlineData("𪚥")] // U+2A6A5
    [InlineData("张三")]
    [InlineData("阿依古丽·买买提")]
    [InlineData("Mary-Jane O'Neil")]
    [InlineData("José")]
    [InlineData("Jose\u0301")] // combining acute accent
    [InlineData("J. R. R. Tolkien")]
    public void A_name_with_rare_or_foreign_characters_is_accepted(string name)
    {
        Assert.Null(TextRules.CheckPersonName(name, required: true));
    }

    [Fact]
    public void A_character_outside_the_bmp_is_two_utf16_units_but_counts_as_one()
    {
        Assert.Equal(2, Ji.Length);
        Assert.Equal(0x20BB7, char.ConvertToUtf32(Ji, 0));
        Assert.Equal(0x4DAE, Yan[0]);
    }

    [Theory]
    [InlineData(Ji)]
    [InlineData(Yan)]
    [InlineData("a")]
    public void A_name_of_exactly_fifty_characters_is_accepted_whatever_their_encoding(string character)
    {
        var name = string.Concat(Enumerable.Repeat(character, 50));
        Assert.Null(TextRules.CheckPersonName(name, required: true));
    }

    [Theory]
    [InlineData(Ji)]
    [InlineData(Yan)]
    [InlineData("a")]
    public void A_name_of_fifty_one_characters_is_refused(string character)
    {
        var name = string.Concat(Enumerable.Repeat(character, 51));
        Assert.Equal("is 51 characters long; at most 50 are allowed", TextRules.CheckPersonName(name, required: true));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(20)]
    [InlineData(100)]
    [InlineData(2000)]
    public void Text_of_the_maximum_length_is_accepted_and_one_more_is_refused(int max)
    {
        var mixed = string.Concat(Enumerable.Range(0, max).Select(i => (i % 3) switch { 0 => Ji, 1 => Yan, _ => "x" }));

        Assert.Null(TextRules.Check(mixed, max, required: true));
        Assert.Equal($"is {max + 1} characters long; at most {max} are allowed", TextRules.Check(mixed + Ji, max, required: true));
    }

    [Fact]
    public void Empty_text_is_refused_only_when_required()
    {
        Assert.Equal("is required", TextRules.Check("", 10, required: true));
        Assert.Null(TextRules.Check("", 10, required: false));
        Assert.Equal("is required", TextRules.CheckPersonName("", required: true));
        Assert.Null(TextRules.CheckPersonName("", required: false));
    }

    [Theory]
    [InlineData(" ")]
    [InlineData("   ")]
    [InlineData("\u3000")] // ideographic space
    public void Blank_text_is_refused(string value)
    {
        Assert.Equal("is blank", TextRules.Check(value, 10, required: false));
        Assert.Equal("is blank", TextRules.CheckPersonName(value, required: false));
    }

    [Theory]
    [InlineData('\0')]
    [InlineData('\a')]
    [InlineData('\b')]
    [InlineData('\t')]
    [InlineData('\n')]
    [InlineData('\v')]
    [InlineData('\f')]
    [InlineData('\r')]
    [InlineData('\u001B')] // escape
    [InlineData('\u007F')] // delete
    [InlineData('\u0085')] // next line (C1)
    [InlineData('\u009B')] // control sequence introducer (C1)
    public void A_control_character_is_refused(char control)
    {
        var value = "张" + control + "三";
        Assert.Equal($"contains control character U+{(int)control:X4}", TextRules.Check(value, 50, required: true));
        Assert.NotNull(TextRules.CheckPersonName(value, required: true));
    }

    [Theory]
    [InlineData("第一行\n第二行")]
    [InlineData("第一行\r\n第二行")]
    public void Line_breaks_are_accepted_where_newlines_are_allowed(string value)
    {
        Assert.Null(TextRules.Check(value, 50, required: true, allowNewlines: true));
    }

    [Theory]
    [InlineData('\t')]
    [InlineData('\0')]
    [InlineData('\u0085')]
    public void Other_control_characters_are_refused_even_where_newlines_are_allowed(char control)
    {
        Assert.Equal($"contains control character U+{(int)control:X4}", TextRules.Check("a" + control + "b", 50, required: true, allowNewlines: true));
    }

    [Theory]
    [InlineData('\u202E')] // right-to-left override
    [InlineData('\u202D')] // left-to-right override
    [InlineData('\u202A')] // left-to-right embedding
    [InlineData('\u200B')] // zero-width space
    [InlineData('\u200C')] // zero-width non-joiner
    [InlineData('\u200D')] // zero-width joiner
    [InlineData('\u200E')] // left-to-right mark
    [InlineData('\u2060')] // word joiner
    [InlineData('\u2066')] // left-to-right isolate
    [InlineData('\u2067')] // right-to-left isolate
    [InlineData('\u2068')] // first strong isolate
    [InlineData('\u2069')] // pop directional isolate
    [InlineData('\uFEFF')] // zero-width no-break space / BOM
    [InlineData('\u00AD')] // soft hyphen
    [InlineData('\u061C')] // Arabic letter mark
    public void An_invisible_formatting_character_is_refused(char format)
    {
        var value = "张" + format + "三";
        Assert.Equal($"contains invisible formatting character U+{(int)format:X4}", TextRules.Check(value, 50, required: true));
        Assert.NotNull(TextRules.CheckPersonName(value, required: true));
    }

    [Theory]
    [InlineData(0xE0001)] // language tag
    [InlineData(0xE0041)] // tag latin capital letter A
    [InlineData(0x1D173)] // musical symbol begin beam
    [InlineData(0x13430)] // Egyptian hieroglyph vertical joiner
    public void An_invisible_formatting_character_outside_the_bmp_is_refused(int codePoint)
    {
        var value = "北京市" + char.ConvertFromUtf32(codePoint) + "海淀区";
        Assert.Equal($"contains invisible formatting character U+{codePoint:X4}", TextRules.Check(value, 50, required: true));
    }

    // Lone surrogates cannot travel in attribute arguments (metadata is UTF-8), so the cases are built here.
    private static readonly Dictionary<string, (string Value, int Position)> UnpairedSurrogates = new()
    {
        ["a high surrogate alone"] = ("\uD842", 1),
        ["a low surrogate alone"] = ("\uDFB7", 1),
        ["a high surrogate before a BMP character"] = ("张\uD842三", 2),
        ["a high surrogate at the end"] = ("张三\uD842", 3),
        ["a pair in the wrong order"] = ("\uDFB7\uD842", 1),
        ["a stray low surrogate after a valid pair"] = ("𠮷\uDFB7", 3),
    };

    public static TheoryData<string> UnpairedSurrogateCases => new(UnpairedSurrogates.Keys);

    [Theory]
    [MemberData(nameof(UnpairedSurrogateCases))]
    public void An_unpaired_surrogate_is_refused(string @case)
    {
        var (value, position) = UnpairedSurrogates[@case];
        Assert.Equal($"has an unpaired surrogate at position {position}", TextRules.Check(value, 50, required: true));
        Assert.Equal($"has an unpaired surrogate at position {position}", TextRules.CheckPersonName(value, required: true));
    }

    [Theory]
    [InlineData("张3")]
    [InlineData("张@三")]
    [InlineData("张_三")]
    [InlineData("张三!")]
    [InlineData("张三😀")]
    [InlineData("<script>")]
    public void A_name_with_digits_symbols_or_emoji_is_refused(string name)
    {
        Assert.StartsWith("contains '", TextRules.CheckPersonName(name, required: true), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("13800000000")]
    [InlineData("+86 138-0000-0000")]
    [InlineData("010-12345678")]
    [InlineData("12345678901234567890")]
    public void A_phone_number_of_up_to_twenty_digits_spaces_plus_and_hyphens_is_accepted(string phone)
    {
        Assert.Null(TextRules.CheckPhone(phone, required: true));
    }

    [Theory]
    [InlineData("123456789012345678901")]
    [InlineData("138x0000000")]
    [InlineData("(010)12345678")]
    [InlineData("１３８00000000")]
    [InlineData("138\u200B00000000")]
    public void Any_other_phone_number_is_refused(string phone)
    {
        Assert.Equal("must be at most 20 digits, spaces, '+' or '-'", TextRules.CheckPhone(phone, required: false));
    }

    [Fact]
    public void An_empty_phone_number_is_refused_only_when_required()
    {
        Assert.Equal("is required", TextRules.CheckPhone("", required: true));
        Assert.Null(TextRules.CheckPhone("", required: false));
    }
}
