namespace RegistryExchange.LocalHosting;

/// <summary>Finds the built hosts next to this test assembly's configuration (Debug or Release).</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    private static string Configuration =>
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

    public static string AuthorityDll => HostDll("RegistryExchange.Authority");
    public static string AgentDll => HostDll("RegistryExchange.Agent");

    /// <summary>A built program under tools/, e.g. ("RegistryExchange.Benchmarks", "rx-bench").</summary>
    public static string ToolDll(string project, string assembly)
    {
        var path = Path.Combine(Root, "tools", project, "bin", Configuration, "net10.0", assembly + ".dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"{path} is not built; build the solution first", path);
    }

    private static string HostDll(string project)
    {
        var path = Path.Combine(Root, "src", project, "bin", Configuration, "net10.0", project + ".dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"{path} is not built; build the solution first", path);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "RegistryExchange.sln")))
            {
                return dir.FullName;
            }
        }
        throw new DirectoryNotFoundException("RegistryExchange.sln not found above " + AppContext.BaseDirectory);
    }

    public static string NewWorkDirectory(string name)
    {
        var dir = Path.Combine(Path.GetTempPath(), "registryexchange", $"{name}-{DateTime.UtcNow:HHmmss}-{Guid.NewGuid():N}"[..40]);
        Directory.CreateDirectory(dir);
        return dir;
    }
}
