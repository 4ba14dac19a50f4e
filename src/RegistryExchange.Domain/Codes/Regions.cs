namespace RegistryExchange.Domain.Codes;

/// <summary>GB/T 2260 administrative divisions; the province level is checked against the published list.</summary>
public static class Regions
{
    private static readonly Dictionary<string, string> Provinces = new(StringComparer.Ordinal)
    {
        ["11"] = "北京", ["12"] = "天津", ["13"] = "河北", ["14"] = "山西", ["15"] = "内蒙古",
        ["21"] = "辽宁", ["22"] = "吉林", ["23"] = "黑龙江",
        ["31"] = "上海", ["32"] = "江苏", ["33"] = "浙江", ["34"] = "安徽", ["35"] = "福建", ["36"] = "江西", ["37"] = "山东",
        ["41"] = "河南", ["42"] = "湖北", ["43"] = "湖南", ["44"] = "广东", ["45"] = "广西", ["46"] = "海南",
        ["50"] = "重庆", ["51"] = "四川", ["52"] = "贵州", ["53"] = "云南", ["54"] = "西藏",
        ["61"] = "陕西", ["62"] = "甘肃", ["63"] = "青海", ["64"] = "宁夏", ["65"] = "新疆",
        ["71"] = "台湾", ["81"] = "香港", ["82"] = "澳门",
    };

    public static bool IsKnownProvince(string code) => Provinces.ContainsKey(code);

    public static string? ProvinceName(string code) => Provinces.GetValueOrDefault(code);

    /// <summary>A six-digit code whose first two digits name a province.</summary>
    public static bool IsValidRegionCode(string code) =>
        code.Length == 6 && code.All(char.IsAsciiDigit) && IsKnownProvince(code[..2]);
}
