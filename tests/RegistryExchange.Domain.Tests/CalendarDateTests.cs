using RegistryExchange.Domain.Codes;

namespace RegistryExchange.Domain.Tests;

public class CalendarDateTests
{
    [Theory]
    [InlineData("2024-02-29", 2024, 2, 29)]
    [InlineData("2000-02-29", 2000, 2, 29)]
    [InlineData("2023-12-31", 2023, 12, 31)]
    [InlineData("1900-01-01", 1900, 1, 1)]
    public void A_real_calendar_date_is_accepted(string text, int year, int month, int day)
    {
        Assert.True(CalendarDate.TryParse(text, out var date));
        Assert.Equal(new DateOnly(year, month, day), date);
    }

    [Theory]
    [InlineData("2023-02-29")]
    [InlineData("2023-02-30")]
    [InlineData("1900-02-29")]
    [InlineData("2023-04-31")]
    [InlineData("2023-13-01")]
    [InlineData("2023-00-10")]
    [InlineData("2023-01-00")]
    [InlineData("2023-01-32")]
    public void A_date_that_is_not_on_the_calendar_is_refused(string text)
    {
        Assert.False(CalendarDate.TryParse(text, out _));
    }

    [Theory]
    [InlineData("2023-2-3")]
    [InlineData("2023-02-3")]
    [InlineData("2023-2-03")]
    [InlineData("23-02-03")]
    [InlineData("20230203")]
    [InlineData("2023/02/03")]
    [InlineData("2023.02.03")]
    [InlineData("2023年02月03日")]
    [InlineData("03-02-2023")]
    [InlineData(" 2023-02-03")]
    [InlineData("2023-02-03 ")]
    [InlineData("2023-02-03T00:00:00")]
    [InlineData("２０２３-02-03")]
    [InlineData("")]
    [InlineData(null)]
    public void A_date_not_in_strict_YYYY_MM_DD_form_is_refused(string? text)
    {
        Assert.False(CalendarDate.TryParse(text, out _));
    }

    [Fact]
    public void Formatting_gives_the_strict_form_back()
    {
        Assert.Equal("2024-02-09", CalendarDate.Format(new DateOnly(2024, 2, 9)));
        Assert.True(CalendarDate.TryParse(CalendarDate.Format(new DateOnly(1949, 12, 31)), out var back));
        Assert.Equal(new DateOnly(1949, 12, 31), back);
    }
}
