using System.Diagnostics;
using RegistryExchange.LocalHosting;

namespace RegistryExchange.EndToEnd.Tests;

/// <summary>Small runs of the programs people start by hand, so they cannot rot. No timing is asserted.</summary>
public sealed class ToolSmokeTests
{
    [Fact]
    public async Task The_sandbox_starts_an_exchange_loads_sample_students_and_says_what_to_try_next()
    {
        var dir = RepoPaths.NewWorkDirectory("sandbox-smoke");
        var (code, output) = await RunAsync(RepoPaths.ToolDll("RegistryExchange.Sandbox", "RegistryExchange.Sandbox"),
            "--exit-when-ready", "--students", "25", "--dir", dir, "--authority-port", "0", "--first-agent-port", "0");
        Assert.True(code == 0, output);
        Assert.Contains("Ready:", output, StringComparison.Ordinal);
        Assert.Contains("students list", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_small_sync_benchmark_run_measures_every_path()
    {
        var providers = Environment.GetEnvironmentVariable("RX_TEST_POSTGRES") is { Length: > 0 } ? "sqlite,postgres" : "sqlite";
        var (code, output) = await RunAsync(RepoPaths.ToolDll("RegistryExchange.Benchmarks", "rx-bench"),
            "sync", "--changes", "500", "--naive-changes", "30", "--providers", providers);
        Assert.True(code == 0, output);
        foreach (var provider in providers.Split(','))
        {
            Assert.Matches($@"\| {provider} \| 500 \| [\d,]+ ", output);
        }
    }

    private static async Task<(int Code, string Output)> RunAsync(string dll, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("exec");
        info.ArgumentList.Add(dll);
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return (process.ExitCode, await stdout + await stderr);
    }
}
