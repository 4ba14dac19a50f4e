using RegistryExchange.Domain.Codes;

namespace RegistryExchange.Authority.Schools;

/// <summary>A school from configuration (<c>Schools:N:Code</c>, <c>:Name</c>, <c>:RegionCode</c>).</summary>
public sealed class SchoolOptions
{
    public string Code { get; set; } = "";
    public string Name { get; set; } = "";
    /// <summary>Six-digit GB/T 2260 code of the school's district.</summary>
    public string RegionCode { get; set; } = "";

    public static bool IsValidCode(string code) =>
        code.Length is > 0 and <= 32 && code.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    public static bool AreValid(List<SchoolOptions> schools) =>
        schools.All(s => IsValidCode(s.Code) && s.Name.Trim().Length is > 0 and <= 200 && Regions.IsValidRegionCode(s.RegionCode))
        && schools.Select(s => s.Code).Distinct(StringComparer.Ordinal).Count() == schools.Count;
}
