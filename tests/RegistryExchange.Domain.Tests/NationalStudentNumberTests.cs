using RegistryExchange.Domain.Codes;

namespace RegistryExchange.Domain.Tests;

public class NationalStudentNumberTests
{
    [Fact]
    public void A_student_with_an_id_number_gets_G_followed_by_the_id_number()
    {
        var number = NationalStudentNumber.ForIdNumber(IdNumber.Parse(Samples.PublishedId));
        Assert.Equal("G11010519491231002X", number);
        Assert.True(NationalStudentNumber.IsWellFormed(number));
    }

    [Theory]
    [InlineData("110105", 1L, "J11010500000000001")]
    [InlineData("440306", 12345L, "J44030600000012345")]
    [InlineData("820000", 99_999_999_999L, "J82000099999999999")]
    public void A_student_without_an_id_number_gets_J_the_region_and_an_eleven_digit_serial(string region, long serial, string expected)
    {
        var number = NationalStudentNumber.Assigned(region, serial);
        Assert.Equal(expected, number);
        Assert.Equal(1 + 6 + 11, number.Length);
    }

    [Fact]
    public void An_assigned_number_is_well_formed()
    {
        Assert.True(NationalStudentNumber.IsWellFormed(NationalStudentNumber.Assigned("110105", 42)));
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    [InlineData(100_000_000_000L)]
    public void A_serial_outside_one_to_eleven_nines_is_refused(long serial)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => NationalStudentNumber.Assigned("110105", serial));
    }

    [Theory]
    [InlineData("990000")]
    [InlineData("11010")]
    [InlineData("11010X")]
    [InlineData("")]
    public void An_assigned_number_needs_a_real_region_code(string region)
    {
        var ex = Assert.Throws<ArgumentException>(() => NationalStudentNumber.Assigned(region, 1));
        Assert.Equal("regionCode", ex.ParamName);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("11010519491231002X")] // the ID number without its prefix
    [InlineData("G110105194912310021")] // wrong check character
    [InlineData("G11010519491231002x")]
    [InlineData("g11010519491231002X")]
    [InlineData("L11010500000000001")] // temporary numbers are not national numbers
    [InlineData("J1101050000000000")] // serial one digit short
    [InlineData("J110105000000000001")] // serial one digit long
    [InlineData("J11010500000000X01")]
    [InlineData("J99000000000000001")] // no such province
    [InlineData("J11010500000000000")] // serials start at 1
    public void A_malformed_national_number_is_refused(string? value)
    {
        Assert.False(NationalStudentNumber.IsWellFormed(value));
    }
}
