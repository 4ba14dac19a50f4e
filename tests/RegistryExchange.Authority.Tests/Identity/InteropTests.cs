using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using RegistryExchange.Authority.Tests.Infrastructure;

namespace RegistryExchange.Authority.Tests.Identity;

/// <summary>
/// The authority on real Kestrel (HTTP/1.1 web endpoint for the token server), and a standard OAuth2/JOSE client
/// from Debian (python3-authlib, python3-jwcrypto; tools/test.sh installs them) that gets and validates a token.
/// </summary>
[Trait("Database", "SQLite")]
public sealed class InteropTests(SqliteFixture fixture) : AuthorityTestBase(fixture), IClassFixture<SqliteFixture>
{
    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [Fact]
    public async Task Python_authlib_gets_a_token_and_jwcrypto_validates_it_against_the_published_JWKS()
    {
        var school = Fixture.NewSchool();
        var port = FreePort();
        var issuer = $"http://127.0.0.1:{port}/";
        await using var instance = Fixture.StartCustomInstance(b =>
        {
            b.UseSetting("Identity:Issuer", issuer);
            b.UseSetting("Kestrel:Endpoints:Web:Url", issuer);
            b.UseSetting("Kestrel:Endpoints:Web:Protocols", "Http1");
            b.UseSetting("Kestrel:Endpoints:Grpc:Url", "http://127.0.0.1:0");
            b.UseSetting("Kestrel:Endpoints:Grpc:Protocols", "Http2");
        }, kestrel: true);

        var script = Path.Combine(AppContext.BaseDirectory, "Identity", "interop_client.py");
        var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { script, issuer, school.Key, AuthorityFixture.SecretOf(school.Key) })
        {
            start.ArgumentList.Add(argument);
        }
        using var python = Process.Start(start)!;
        using var bound = new CancellationTokenSource(TimeSpan.FromMinutes(2)); // a bound against a hang, not an assertion
        var output = python.StandardOutput.ReadToEndAsync(bound.Token);
        var errors = python.StandardError.ReadToEndAsync(bound.Token);
        await python.WaitForExitAsync(bound.Token);

        Assert.True(python.ExitCode == 0, $"python exited {python.ExitCode}: {await errors}");
        var result = JsonDocument.Parse(await output).RootElement;
        Assert.Equal("ES256", result.GetProperty("alg").GetString());
        Assert.True(result.GetProperty("kid_published").GetBoolean());
        Assert.Equal(school.Key, result.GetProperty("client_id").GetString());
        Assert.Equal(school.Code, result.GetProperty("school_code").GetString());
        Assert.Equal(school.Code, result.GetProperty("authlib_school_code").GetString());
        Assert.Equal("sync", result.GetProperty("scope").GetString());
        Assert.True(result.GetProperty("tampered_rejected").GetBoolean());
    }
}
