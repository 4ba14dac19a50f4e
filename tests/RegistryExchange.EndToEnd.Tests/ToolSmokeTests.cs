using System.Diagnostics;
using System.Text.RegularExpressions;
using Grpc.Core;
using Grpc.Net.Client;
using RegistryExchange.Contracts.V1;
using RegistryExchange.LocalHosting;

namespace RegistryExchange.EndToEnd.Tests;

/// <summary>Small runs of the programs people start by hand, so they cannot rot. No timing is asserted.</summary>
public sealed partial class ToolSmokeTests
{
    [GeneratedRegex(@"^\s*export RX_AUTHORITY=(?<authority>\S+) RX_TOKEN_ENDPOINT=(?<token>\S+)\s*$", RegexOptions.Multiline)]
    private static partial Regex EndpointsLine();

    [GeneratedRegex(@"^\s*export RX_CLIENT_ID=(?<id>\S+) RX_CLIENT_SECRET=(?<secret>\S+)\s*$", RegexOptions.Multiline)]
    private static partial Regex CredentialsLine();

    [GeneratedRegex(@"^\s*export RX_AGENT=(?<agent>\S+) RX_CLIENT_ID=(?<id>\S+) RX_CLIENT_SECRET=(?<secret>\S+)\s*$", RegexOptions.Multiline)]
    private static partial Regex SchoolLine();

    [Fact]
    public async Task The_running_sandbox_prints_staff_credentials_that_get_a_token_and_read_the_authority()
    {
        var dir = RepoPaths.NewWorkDirectory("sandbox-credentials");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "exec", RepoPaths.ToolDll("RegistryExchange.Sandbox", "RegistryExchange.Sandbox"), "--students", "10", "--dir", dir,
                     "--authority-port", "0", "--authority-web-port", "0", "--first-agent-port", "0" })
        {
            info.ArgumentList.Add(a);
        }
        using var sandbox = Process.Start(info)!;
        var output = new System.Text.StringBuilder();
        var stderr = sandbox.StandardError.ReadToEndAsync();
        try
        {
            using (var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5)))
            {
                while (await sandbox.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
                {
                    output.AppendLine(line);
                    if (line.Contains("Running.", StringComparison.Ordinal))
                    {
                        break;
                    }
                }
            }
            var printed = output.ToString();
            var endpoints = EndpointsLine().Match(printed);
            var credentials = CredentialsLine().Match(printed);
            Assert.True(endpoints.Success && credentials.Success, printed + await Task.WhenAny(stderr, Task.Delay(100)));
            Assert.Contains("Token endpoint", printed, StringComparison.Ordinal);

            // What a user pastes: the staff client gets a token and reads the authority's feed and duplicate cases.
            using var tokens = new ClientTokens(new Uri(endpoints.Groups["token"].Value));
            var staff = new OAuthClient(credentials.Groups["id"].Value, credentials.Groups["secret"].Value);
            var token = await tokens.GetAsync(staff);
            using var channel = GrpcChannel.ForAddress(endpoints.Groups["authority"].Value);
            var bearer = new Metadata { { "Authorization", "Bearer " + token } };
            using var feed = new ChangeFeedService.ChangeFeedServiceClient(channel).SubscribeChanges(new SubscribeChangesRequest(), bearer, DateTime.UtcNow.AddSeconds(30));
            var entries = 0;
            await foreach (var page in feed.ResponseStream.ReadAllAsync())
            {
                entries += page.Entries.Count;
            }
            Assert.Equal(2 * 10, entries);
            await new DuplicateCaseService.DuplicateCaseServiceClient(channel).ListDuplicateCasesAsync(new ListDuplicateCasesRequest(), bearer, DateTime.UtcNow.AddSeconds(30));
            // ... and without the token the authority refuses.
            var refused = await Assert.ThrowsAsync<RpcException>(() =>
                new DuplicateCaseService.DuplicateCaseServiceClient(channel).ListDuplicateCasesAsync(new ListDuplicateCasesRequest(), deadline: DateTime.UtcNow.AddSeconds(30)).ResponseAsync);
            Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);

            // The school lines, pasted: rx reads the first school's agent with that school's client ...
            var school = SchoolLine().Match(printed);
            Assert.True(school.Success, printed);
            var environment = new Dictionary<string, string>
            {
                ["RX_AGENT"] = school.Groups["agent"].Value,
                ["RX_TOKEN_ENDPOINT"] = endpoints.Groups["token"].Value,
                ["RX_AUTHORITY"] = endpoints.Groups["authority"].Value,
                ["RX_CLIENT_ID"] = school.Groups["id"].Value,
                ["RX_CLIENT_SECRET"] = school.Groups["secret"].Value,
            };
            var rx = RepoPaths.ToolDll("RegistryExchange.Cli", "rx");
            var (listed, list) = await RunAsync(rx, environment, "students", "list", "--page-size", "100");
            Assert.True(listed == 0, list);
            Assert.Contains("10 student(s)", list, StringComparison.Ordinal);
            var (hwm, mark) = await RunAsync(rx, environment, "authority", "hwm");
            Assert.True(hwm == 0, mark);
            Assert.Contains("high-water mark 10", mark, StringComparison.Ordinal);
            // ... and the agent refuses the staff client (not a client of the school) and a call without a token.
            var (staffExit, staffOutput) = await RunAsync(rx, new Dictionary<string, string>(environment)
            {
                ["RX_CLIENT_ID"] = credentials.Groups["id"].Value,
                ["RX_CLIENT_SECRET"] = credentials.Groups["secret"].Value,
            }, "sync", "status");
            Assert.Equal(1, staffExit);
            Assert.Contains("PermissionDenied", staffOutput, StringComparison.Ordinal);
            using var agentChannel = GrpcChannel.ForAddress(school.Groups["agent"].Value);
            var anonymous = await Assert.ThrowsAsync<RpcException>(() =>
                new SchoolRegisterService.SchoolRegisterServiceClient(agentChannel).GetSyncStatusAsync(new GetSyncStatusRequest(), deadline: DateTime.UtcNow.AddSeconds(30)).ResponseAsync);
            Assert.Equal(StatusCode.Unauthenticated, anonymous.StatusCode);
        }
        finally
        {
            // Ctrl+C, as a user stops it; the sandbox stops its hosts.
            using (var interrupt = Process.Start("kill", ["-INT", sandbox.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await interrupt.WaitForExitAsync();
            }
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            try
            {
                await sandbox.WaitForExitAsync(stop.Token);
            }
            catch (OperationCanceledException)
            {
                sandbox.Kill(entireProcessTree: true);
            }
        }
    }

    [Fact]
    public async Task The_sandbox_starts_an_exchange_loads_sample_students_and_says_what_to_try_next()
    {
        var dir = RepoPaths.NewWorkDirectory("sandbox-smoke");
        var (code, output) = await RunAsync(RepoPaths.ToolDll("RegistryExchange.Sandbox", "RegistryExchange.Sandbox"),
            "--exit-when-ready", "--students", "25", "--dir", dir, "--authority-port", "0", "--authority-web-port", "0", "--first-agent-port", "0");
        Assert.True(code == 0, output);
        Assert.Contains("Ready:", output, StringComparison.Ordinal);
        Assert.Contains("students list", output, StringComparison.Ordinal);
        Assert.Contains("export RX_CLIENT_ID=" + LocalExchange.StaffClientId + " RX_CLIENT_SECRET=", output, StringComparison.Ordinal);
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

    private static Task<(int Code, string Output)> RunAsync(string dll, params string[] args) =>
        RunAsync(dll, new Dictionary<string, string>(), args);

    private static async Task<(int Code, string Output)> RunAsync(string dll, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }
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
