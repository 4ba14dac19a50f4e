using RegistryExchange.Domain.Codes;

namespace RegistryExchange.Domain.Tests;

public class NationalCodesTests
{
    private static readonly string[] EthnicGroups =
    [
        "汉族", "蒙古族", "回族", "藏族", "维吾尔族", "苗族", "彝族", "壮族", "布依族", "朝鲜族",
        "满族", "侗族", "瑶族", "白族", "土家族", "哈尼族", "哈萨克族", "傣族", "黎族", "傈僳族",
        "佤族", "畲族", "高山族", "拉祜族", "水族", "东乡族", "纳西族", "景颇族", "柯尔克孜族", "土族",
        "达斡尔族", "仫佬族", "羌族", "布朗族", "撒拉族", "毛南族", "仡佬族", "锡伯族", "阿昌族", "普米族",
        "塔吉克族", "怒族", "乌孜别克族", "俄罗斯族", "鄂温克族", "德昂族", "保安族", "裕固族", "京族", "塔塔尔族",
        "独龙族", "鄂伦春族", "赫哲族", "门巴族", "珞巴族", "基诺族",
    ];

    public static TheoryData<string, string> EveryEthnicity()
    {
        var data = new TheoryData<string, string>();
        for (var i = 0; i < EthnicGroups.Length; i++)
        {
            data.Add((i + 1).ToString("D2", System.Globalization.CultureInfo.InvariantCulture), EthnicGroups[i]);
        }
        data.Add("97", "其他");
        data.Add("98", "外国血统中国籍人士");
        return data;
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1")]
    [InlineData("2")]
    [InlineData("9")]
    public void Gender_codes_0_1_2_and_9_are_accepted(string code)
    {
        Assert.True(GenderCodes.IsValid(code));
    }

    [Theory]
    [InlineData("")]
    [InlineData("3")]
    [InlineData("8")]
    [InlineData("01")]
    [InlineData("M")]
    [InlineData("男")]
    [InlineData(" 1")]
    [InlineData("１")]
    public void Any_other_gender_code_is_refused(string code)
    {
        Assert.False(GenderCodes.IsValid(code));
    }

    [Fact]
    public void There_are_56_ethnic_groups_plus_97_and_98()
    {
        Assert.Equal(58, EveryEthnicity().Count);
    }

    [Theory]
    [MemberData(nameof(EveryEthnicity))]
    public void Every_gbt_3304_ethnicity_code_is_accepted_with_its_name(string code, string name)
    {
        Assert.True(EthnicityCodes.IsValid(code));
        Assert.Equal(name, EthnicityCodes.Name(code));
    }

    [Theory]
    [InlineData("00")]
    [InlineData("57")]
    [InlineData("96")]
    [InlineData("99")]
    [InlineData("1")]
    [InlineData("001")]
    [InlineData("")]
    [InlineData(" 1")]
    [InlineData("1 ")]
    [InlineData("０１")]
    [InlineData("-1")]
    [InlineData("汉族")]
    public void Any_other_ethnicity_code_is_refused(string code)
    {
        Assert.False(EthnicityCodes.IsValid(code));
        Assert.Null(EthnicityCodes.Name(code));
    }

    [Fact]
    public void Every_two_digit_code_outside_01_to_56_97_and_98_is_refused()
    {
        for (var n = 0; n <= 99; n++)
        {
            var code = n.ToString("D2", System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(n is >= 1 and <= 56 or 97 or 98, EthnicityCodes.IsValid(code));
        }
    }

    public static TheoryData<string, string> EveryProvince => new()
    {
        { "11", "北京" }, { "12", "天津" }, { "13", "河北" }, { "14", "山西" }, { "15", "内蒙古" },
        { "21", "辽宁" }, { "22", "吉林" }, { "23", "黑龙江" },
        { "31", "上海" }, { "32", "江苏" }, { "33", "浙江" }, { "34", "安徽" }, { "35", "福建" }, { "36", "江西" }, { "37", "山东" },
        { "41", "河南" }, { "42", "湖北" }, { "43", "湖南" }, { "44", "广东" }, { "45", "广西" }, { "46", "海南" },
        { "50", "重庆" }, { "51", "四川" }, { "52", "贵州" }, { "53", "云南" }, { "54", "西藏" },
        { "61", "陕西" }, { "62", "甘肃" }, { "63", "青海" }, { "64", "宁夏" }, { "65", "新疆" },
        { "71", "台湾" }, { "81", "香港" }, { "82", "澳门" },
    };

    [Theory]
    [MemberData(nameof(EveryProvince))]
    public void Every_province_is_known_by_its_name_and_its_region_codes_are_valid(string province, string name)
    {
        Assert.True(Regions.IsKnownProvince(province));
        Assert.Equal(name, Regions.ProvinceName(province));
        Assert.True(Regions.IsValidRegionCode(province + "0000"));
        Assert.True(Regions.IsValidRegionCode(province + "0102"));
    }

    [Fact]
    public void Exactly_the_34_provincial_codes_are_known()
    {
        var known = Enumerable.Range(0, 100)
            .Select(n => n.ToString("D2", System.Globalization.CultureInfo.InvariantCulture))
            .Where(Regions.IsKnownProvince)
            .ToHashSet();
        var expected = EveryProvince.Select(row => (string)row[0]).ToHashSet();
        Assert.Equal(34, expected.Count);
        Assert.Equal(expected, known);
    }

    [Theory]
    [InlineData("000000")]
    [InlineData("100000")]
    [InlineData("160101")]
    [InlineData("990000")]
    [InlineData("11010")]
    [InlineData("1101055")]
    [InlineData("11010X")]
    [InlineData("１10105")]
    [InlineData(" 110105")]
    [InlineData("")]
    public void A_region_code_that_is_not_six_digits_starting_with_a_province_is_refused(string code)
    {
        Assert.False(Regions.IsValidRegionCode(code));
    }

    [Fact]
    public void An_unknown_province_has_no_name()
    {
        Assert.Null(Regions.ProvinceName("99"));
        Assert.False(Regions.IsKnownProvince(""));
    }
}
