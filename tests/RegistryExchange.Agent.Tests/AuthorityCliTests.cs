using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using RegistryExchange.Agent.Tests.Support;
using W = RegistryExchange.Contracts.V1;

namespace RegistryExchange.Agent.Tests;

/// <summary><c>rx</c>'s authority commands against the real authority: client credentials, staff client administration.</summary>
public sealed partial class AuthorityCliTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly AuthorityHost _authority;
    private readonly AuthorityCliRunner _rx;

    public AuthorityCliTests()
    {
        _authority = new AuthorityHost(_dir.File("authority.db"));
        _rx = new AuthorityCliRunner(_authority);
    }

    public void Dispose()
    {
        _authority.Dispose();
        _dir.Dispose();
    }

    [GeneratedRegex(@"client id\s+(\S+)")]
    private static partial Regex ClientIdLine();

    [GeneratedRegex(@"client secret\s+(\S+)")]
    private static partial Regex SecretLine();

    private static AgentCredentials Printed(string output) =>
        new(ClientIdLine().Match(output).Groups[1].Value, SecretLine().Match(output).Groups[1].Value);

    [Fact]
    public async Task Staff_register_a_school_and_the_printed_credentials_get_its_agent_a_token_for_that_school()
    {
        var (exit, output) = await _rx.RunAsync(AuthorityHost.Staff, "clients", "register-school", "--code", "S440106009", "--name", "广州市天河区第九中学", "--region", "440106");

        Assert.True(exit == 0, output);
        Assert.Contains("Store this now, it is not shown again", output, StringComparison.Ordinal);
        Assert.Contains("School S440106009 registered", output, StringComparison.Ordinal);
        var agent = Printed(output);
        Assert.True(agent.ClientSecret.Length >= 32, output);
        Assert.Contains(_authority.TokenEndpoint.ToString(), output, StringComparison.Ordinal);

        var (hwmExit, hwm) = await _rx.RunAsync(agent, "authority", "hwm");
        Assert.True(hwmExit == 0, hwm);
        Assert.Contains("school S440106009: high-water mark 0", hwm, StringComparison.Ordinal);

        // Listing shows the client, never a secret.
        var (listExit, list) = await _rx.RunAsync(AuthorityHost.Staff, "clients", "list", "--kind", "school");
        Assert.True(listExit == 0, list);
        Assert.Contains(agent.ClientId, list, StringComparison.Ordinal);
        Assert.Contains(AuthorityHost.ClientA.ClientId, list, StringComparison.Ordinal);
        Assert.DoesNotContain(agent.ClientSecret, list, StringComparison.Ordinal);
        Assert.DoesNotContain(AuthorityHost.ClientA.ClientSecret, list, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rotated_secret_replaces_the_old_one_at_once_and_a_disabled_client_gets_nothing()
    {
        var (_, registered) = await _rx.RunAsync(AuthorityHost.Staff, "clients", "register", "--kind", "feed", "--name", "教育统计系统");
        var feed = Printed(registered);
        Assert.Equal(0, (await _rx.RunAsync(feed, "feed", "--from", "0")).ExitCode);

        var (rotateExit, rotated) = await _rx.RunAsync(AuthorityHost.Staff, "clients", "rotate-secret", feed.ClientId);
        Assert.True(rotateExit == 0, rotated);
        Assert.Contains("Store this now, it is not shown again", rotated, StringComparison.Ordinal);
        var newSecret = Printed(rotated);
        Assert.NotEqual(feed.ClientSecret, newSecret.ClientSecret);

        var (oldExit, old) = await _rx.RunAsync(feed, "feed", "--from", "0");
        Assert.Equal(1, oldExit);
        Assert.Contains("invalid_client", old, StringComparison.Ordinal);
        Assert.DoesNotContain(feed.ClientSecret, old, StringComparison.Ordinal);
        Assert.Equal(0, (await _rx.RunAsync(newSecret, "feed", "--from", "0")).ExitCode);

        var (disableExit, disabled) = await _rx.RunAsync(AuthorityHost.Staff, "clients", "disable", feed.ClientId, "--reason", "系统下线");
        Assert.True(disableExit == 0, disabled);
        Assert.Equal(1, (await _rx.RunAsync(newSecret, "feed", "--from", "0")).ExitCode);
        var (_, list) = await _rx.RunAsync(AuthorityHost.Staff, "clients", "list", "--all");
        Assert.Matches(feed.ClientId + @".*disabled", list);
    }

    [Fact]
    public async Task Bad_registration_input_is_shown_field_by_field_and_a_school_agent_cannot_administer_clients()
    {
        var (exit, output) = await _rx.RunAsync(AuthorityHost.Staff, "clients", "register-school", "--code", "bad code!", "--name", "x", "--region", "99");

        Assert.Equal(1, exit);
        Assert.Contains("InvalidArgument", output, StringComparison.Ordinal);
        Assert.Matches(@"│\s*school_code\s*│", output);
        Assert.Matches(@"│\s*region_code\s*│", output);

        var (agentExit, agent) = await _rx.RunAsync(AuthorityHost.ClientA, "clients", "list");
        Assert.Equal(1, agentExit);
        Assert.Contains("PermissionDenied", agent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Authority_commands_without_credentials_or_with_a_wrong_secret_say_so_plainly()
    {
        var (noneExit, none) = await _rx.RunAsync(null, "duplicates", "list");
        Assert.Equal(2, noneExit);
        Assert.Contains("RX_CLIENT_ID", none, StringComparison.Ordinal);

        var (wrongExit, wrong) = await _rx.RunAsync(AuthorityHost.Staff with { ClientSecret = "not-the-staff-secret" }, "duplicates", "list");
        Assert.Equal(1, wrongExit);
        Assert.Contains("refused client 'staff' (invalid_client", wrong, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-staff-secret", wrong, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Audit_student_lists_who_accessed_a_record_and_verify_names_the_entry_that_was_edited()
    {
        await using (var agent = new AgentHost(_dir.File("school-a.db"), AuthorityHost.SchoolA, _authority.Address, AuthorityHost.ClientA, _authority.TokenEndpoint, _authority.Handler, tokenServer: _authority))
        {
            var s = Students.Sample(1)[0];
            await agent.Client().CreateStudentAsync(new W.CreateStudentRequest { LocalId = s.LocalId, Details = s.Details });
            await Eventually.WaitForAsync(() => agent.Client().GetSyncStatusAsync(new W.GetSyncStatusRequest()).ResponseAsync,
                st => st.AuthorityHighWaterMark == 1, TimeSpan.FromSeconds(60), "the push");
        }
        var (feedExit, feed) = await _rx.RunAsync(AuthorityHost.Staff, "feed", "--from", "0", "--purpose", "annual-statistics");
        Assert.True(feedExit == 0, feed);
        var number = "G" + Students.Sample(1)[0].Details.Basic.IdNumber;

        var (accessExit, access) = await _rx.RunAsync(AuthorityHost.Staff, "audit", "student", number);
        Assert.True(accessExit == 0, access);
        Assert.Matches(@"agent-a\s*│\s*school\s*│\s*S110105001\s*│\s*sync\.push", access);
        Assert.Matches(@"staff\s*│\s*staff\s*│.*annual-statistics", access);

        var (intactExit, intact) = await _rx.RunAsync(AuthorityHost.Staff, "audit", "verify");
        Assert.True(intactExit == 0, intact);
        Assert.Contains("The audit log is intact", intact, StringComparison.Ordinal);

        await using (var db = new SqliteConnection($"Data Source={_dir.File("authority.db")};Pooling=false"))
        {
            await db.OpenAsync();
            await using var edit = db.CreateCommand();
            edit.CommandText = "UPDATE audit_entries SET purpose = 'curiosity' WHERE sequence = 1";
            Assert.Equal(1, await edit.ExecuteNonQueryAsync());
        }
        var (tamperedExit, tampered) = await _rx.RunAsync(AuthorityHost.Staff, "audit", "verify");
        Assert.Equal(1, tamperedExit);
        Assert.Contains("The audit log has been tampered with: entry 1 is edited", tampered, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_never_prints_the_secret_from_the_environment()
    {
        var info = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { "exec", Path.Combine(AppContext.BaseDirectory, "rx.dll"), "clients", "list", "--help" })
        {
            info.ArgumentList.Add(a);
        }
        info.Environment["RX_CLIENT_ID"] = "staff";
        info.Environment["RX_CLIENT_SECRET"] = "secret-from-the-environment";
        using var rx = System.Diagnostics.Process.Start(info)!;
        var help = await rx.StandardOutput.ReadToEndAsync();
        await rx.WaitForExitAsync();

        Assert.Contains("--client-secret", help, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-from-the-environment", help, StringComparison.Ordinal);
    }
}
