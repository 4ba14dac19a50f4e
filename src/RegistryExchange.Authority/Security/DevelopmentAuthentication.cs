using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace RegistryExchange.Authority.Security;

/// <summary><c>DevelopmentAuth</c>: static bearer keys mapped to a role and, for schools, a school code.</summary>
public sealed class DevelopmentAuthOptions
{
    public bool Enabled { get; set; }
    public List<DevelopmentClient> Clients { get; set; } = [];
}

/// <summary><c>DevelopmentAuth:Clients:N</c>.</summary>
public sealed class DevelopmentClient
{
    public string Key { get; set; } = "";
    /// <summary>school, staff or feed (<see cref="AuthorityRoles"/>).</summary>
    public string Role { get; set; } = "";
    public string SchoolCode { get; set; } = "";
}

/// <summary>
/// Development-only stand-in for tokens (docs/decisions/0003): reads <c>Authorization: Bearer &lt;key&gt;</c> and
/// maps the key to its configured client. The identity issue replaces it with OpenIddict validation.
/// </summary>
internal sealed class DevelopmentAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IOptionsMonitor<DevelopmentAuthOptions> development) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Development";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var settings = development.CurrentValue;
        if (!settings.Enabled)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }
        var client = Find(settings.Clients, header["Bearer ".Length..].Trim());
        if (client is null)
        {
            return Task.FromResult(AuthenticateResult.Fail("Unknown development key."));
        }
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(PrincipalFor(client), SchemeName)));
    }

    private static DevelopmentClient? Find(List<DevelopmentClient> clients, string key)
    {
        var presented = Encoding.UTF8.GetBytes(key);
        // Constant-time comparison: keys are secrets even in development.
        return clients.FirstOrDefault(c => c.Key.Length > 0 && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(c.Key), presented));
    }

    private static ClaimsPrincipal PrincipalFor(DevelopmentClient client)
    {
        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, client.SchoolCode.Length > 0 ? $"{client.Role}:{client.SchoolCode}" : client.Role),
            new(ClaimTypes.Role, client.Role),
        };
        if (client.SchoolCode.Length > 0)
        {
            claims.Add(new Claim(AuthorityClaims.SchoolCode, client.SchoolCode));
        }
        return new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
    }
}
