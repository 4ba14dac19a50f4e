using RegistryExchange.Protocol;
using RegistryExchange.SampleData;
using W = RegistryExchange.Contracts.V1;

namespace RegistryExchange.Agent.Tests.Support;

/// <summary>Valid students for tests, from the same generator the sandbox uses.</summary>
public static class Students
{
    public static readonly DateOnly Today = DateOnly.FromDateTime(DateTime.Today);

    public static IReadOnlyList<(string LocalId, W.StudentDetails Details)> Sample(int count, int seed = 1, string region = "110105") =>
        [.. new SampleStudents(seed, region, Today).Generate(count).Select(s => (s.LocalId, s.Details.ToWire()))];

    public static W.StudentDetails One(int seed = 1, string region = "110105") => Sample(1, seed, region)[0].Details;
}
