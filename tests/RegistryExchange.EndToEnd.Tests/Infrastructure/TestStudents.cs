using RegistryExchange.SampleData;

namespace RegistryExchange.EndToEnd.Tests.Infrastructure;

/// <summary>The shared sample generator with a fixed "today", so every run gets the same students for a seed.</summary>
public static class TestStudents
{
    private static readonly DateOnly Today = new(2026, 12, 1);

    public static IReadOnlyList<SampleStudent> For(int seed, string region, int count) =>
        [.. new SampleStudents(seed, region, Today).Generate(count)];

    /// <summary>Positioned on the first student; MoveNext after taking each.</summary>
    public static IEnumerator<SampleStudent> Endless(int seed, string region)
    {
        var students = new SampleStudents(seed, region, Today).Generate(int.MaxValue).GetEnumerator();
        students.MoveNext();
        return students;
    }
}
