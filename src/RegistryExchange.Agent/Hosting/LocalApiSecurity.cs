using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using RegistryExchange.Protocol.Identity;

namespace RegistryExchange.Agent.Hosting;

/// <summary>
/// The local API is a resource server of the authority's token server (docs/decisions/0008): it validates the
/// authority's ES256 access tokens against the published discovery document and JWKS, and lets in only clients of
/// this agent's own school with scope <c>sync</c>.
/// </summary>
public static class LocalApiSecurity
{
    /// <summary>A client of this school (<c>rx_kind</c> school, <c>school_code</c> = <c>School:Code</c>) with scope <c>sync</c>.</summary>
    public const string ThisSchool = "this-school";

    /// <summary>Tokens are issued for separate machines: a little clock difference is allowed, not the default 5 minutes.</summary>
    public static readonly TimeSpan DefaultClockSkew = TimeSpan.FromSeconds(30);

    public static IServiceCollection AddLocalApiSecurity(this IServiceCollection services)
    {
        services.AddSingleton<SigningKeyCatchUp>();
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<AuthorityOptions>, IHostEnvironment, TimeProvider>((jwt, authority, environment, time) =>
            {
                var issuer = authority.Value.EffectiveIssuer();
                jwt.MetadataAddress = new Uri(issuer, ".well-known/openid-configuration").ToString();
                jwt.RequireHttpsMetadata = !AllowsPlainHttp(environment);
                // The authority publishes a successor key a day before it signs with it (docs/decisions/0006); an
                // unknown key id also triggers a refresh, at most once a minute so forged tokens cannot hammer it.
                jwt.AutomaticRefreshInterval = TimeSpan.FromHours(1);
                jwt.RefreshInterval = TimeSpan.FromMinutes(1);
                // Claim names stay as the authority wrote them (client_id, rx_kind, school_code, scope).
                jwt.MapInboundClaims = false;
                jwt.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = issuer.ToString(),
                    ValidAudience = ExchangeAudiences.Authority,
                    // RFC 9068 access tokens only: an ID token or any other JWT from the same keys is not a pass.
                    ValidTypes = ["at+jwt"],
                    ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
                    ClockSkew = authority.Value.ClockSkew,
                    RequireExpirationTime = true,
                    NameClaimType = ExchangeClaims.ClientId,
                };
                // The usual check (not before, expires, skew), on the host's clock so tests can move it.
                var skew = authority.Value.ClockSkew;
                jwt.TokenValidationParameters.LifetimeValidator = (notBefore, expires, _, _) =>
                {
                    var now = time.GetUtcNow().UtcDateTime;
                    // The skew moves "now", never the token's times: those may be DateTime.MinValue (no nbf).
                    return expires is { } end && now - skew < end.ToUniversalTime() && (notBefore is not { } start || start.ToUniversalTime() <= now + skew);
                };
                jwt.Events = new JwtBearerEvents
                {
                    OnAuthenticationFailed = context => context.HttpContext.RequestServices.GetRequiredService<SigningKeyCatchUp>().RetryAsync(context),
                };
            });
        // Production validates tokens against HTTPS metadata only; say so at start-up, not at the first call.
        services.AddOptions<AuthorityOptions>()
            .Validate<IHostEnvironment>((authority, environment) => AllowsPlainHttp(environment) || authority.EffectiveIssuer().Scheme == Uri.UriSchemeHttps,
                "Authority:Issuer (or Authority:TokenEndpoint it is derived from) must be https:// outside the Development and Testing " +
                "environments: the local API trusts tokens by the authority's signing keys, fetched from its discovery document.")
            .ValidateOnStart();

        services.AddAuthorization();
        services.AddOptions<AuthorizationOptions>().Configure<IOptions<SchoolOptions>>((authorization, school) =>
        {
            var policy = new AuthorizationPolicyBuilder(JwtBearerDefaults.AuthenticationScheme)
                .RequireAuthenticatedUser()
                .RequireClaim(ExchangeClaims.Kind, ClientKinds.School)
                .RequireClaim(ExchangeClaims.SchoolCode, school.Value.Code)
                .RequireAssertion(c => HasScope(c.User, ExchangeScopes.Sync))
                .Build();
            authorization.AddPolicy(ThisSchool, policy);
            // Whatever is mapped without saying otherwise needs this school's token: a new service cannot forget.
            authorization.FallbackPolicy = policy;
        });
        return services;
    }

    /// <summary>Plain-http discovery only in the development profiles, as at the authority.</summary>
    public static bool AllowsPlainHttp(IHostEnvironment environment) =>
        environment.IsDevelopment() || environment.IsEnvironment("Testing");

    /// <summary>The authority writes scopes as one space-separated <c>scope</c> claim (RFC 9068); one claim per scope is read too.</summary>
    public static bool HasScope(ClaimsPrincipal user, string scope) =>
        user.FindAll("scope").Any(c => c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains(scope, StringComparer.Ordinal));
}

/// <summary>
/// A token signed by a key the agent has not seen yet (the authority rotated without publishing ahead, e.g. after its
/// key directory was replaced) would fail once: JwtBearer only starts a background refresh of the JWKS. Instead, the
/// JWKS is read again at once (at most once per <see cref="JwtBearerOptions.RefreshInterval"/>, so forged key ids
/// cannot hammer the authority) and the token is validated against it with the same parameters.
/// </summary>
public sealed class SigningKeyCatchUp(TimeProvider time) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private DateTimeOffset _lastRead = DateTimeOffset.MinValue;
    private OpenIdConnectConfiguration? _latest;

    public async Task RetryAsync(AuthenticationFailedContext context)
    {
        if (context.Exception is not SecurityTokenSignatureKeyNotFoundException
            || context.Request.Headers.Authorization.ToString() is not { } header
            || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }
        var configuration = await LatestAsync(context.Options, context.HttpContext.RequestAborted);
        if (configuration is null)
        {
            return;
        }
        var parameters = context.Options.TokenValidationParameters.Clone();
        parameters.IssuerSigningKeys = configuration.SigningKeys;
        var result = await new JsonWebTokenHandler { MapInboundClaims = false }.ValidateTokenAsync(header["Bearer ".Length..].Trim(), parameters);
        if (result.IsValid)
        {
            context.Principal = new ClaimsPrincipal(result.ClaimsIdentity);
            context.Success();
        }
    }

    private async Task<OpenIdConnectConfiguration?> LatestAsync(JwtBearerOptions options, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            if (time.GetUtcNow() - _lastRead < options.RefreshInterval)
            {
                return _latest;
            }
            _lastRead = time.GetUtcNow();
            var retriever = new HttpDocumentRetriever(options.Backchannel) { RequireHttps = options.RequireHttpsMetadata };
            _latest = await OpenIdConnectConfigurationRetriever.GetAsync(options.MetadataAddress, retriever, ct);
            return _latest;
        }
        catch (Exception e) when (e is IOException or HttpRequestException or InvalidOperationException or ArgumentException)
        {
            // The authority is unreachable: the caller gets UNAUTHENTICATED as before.
            return _latest;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();
}
