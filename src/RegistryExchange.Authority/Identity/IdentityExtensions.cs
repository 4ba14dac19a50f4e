using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpenIddict.Server;
using OpenIddict.Validation;
using OpenIddict.Validation.AspNetCore;
using RegistryExchange.Protocol.Identity;
using RegistryExchange.Storage;

namespace RegistryExchange.Authority.Identity;

public static class IdentityExtensions
{
    /// <summary>
    /// The OpenID Connect token server (client credentials only, ES256 JWS access tokens, discovery and JWKS) on
    /// OpenIddict with its EF Core stores in the registry store, the signing key ring, client seeding, and local
    /// token validation as the default authentication scheme (docs/decisions/0006).
    /// </summary>
    public static WebApplicationBuilder AddAuthorityIdentity(this WebApplicationBuilder builder)
    {
        var settings = builder.Configuration.GetSection(IdentityOptions.Section).Get<IdentityOptions>() ?? new IdentityOptions();
        var plainHttpAllowed = AllowsPlainHttp(builder.Environment);
        var problems = settings.Problems(plainHttpAllowed);
        if (problems.Count > 0)
        {
            throw new InvalidOperationException("The identity settings are not usable:" + Environment.NewLine + string.Join(Environment.NewLine, problems));
        }
        var services = builder.Services;
        services.AddOptions<IdentityOptions>().Bind(builder.Configuration.GetSection(IdentityOptions.Section));
        services.TryAddTimeProvider();
        services.AddSingleton<SigningKeyRing>();
        services.AddSingleton<IdentityOptionsRefresher>();
        // OpenIddict's stores take the context from the request scope; the registry store is a pooled factory.
        services.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<AuthorityDbContext>>().CreateDbContext());
        services.AddScoped<ClientRegistry>();
        services.AddSingleton<TokenLiveness>();
        services.AddHostedService<ClientSeeder>();
        services.AddSingleton<IConfigureOptions<OpenIddictServerOptions>, KeyRingServerOptions>();
        services.AddSingleton<IConfigureOptions<OpenIddictValidationOptions>, ValidationClockOptions>();

        services.AddOpenIddict()
            .AddCore(core => core.UseEntityFrameworkCore().UseDbContext<AuthorityDbContext>())
            .AddServer(server =>
            {
                server.SetIssuer(settings.Issuer!);
                server.SetTokenEndpointUris("connect/token")
                    .SetConfigurationEndpointUris(".well-known/openid-configuration")
                    .SetJsonWebKeySetEndpointUris(".well-known/jwks");
                server.AllowClientCredentialsFlow();
                server.RegisterScopes([.. ExchangeScopes.All]);
                // The client's kind decides its scopes (ClientCredentialsTokenHandler answers invalid_scope).
                server.IgnoreScopePermissions();
                server.SetAccessTokenLifetime(settings.AccessTokenLifetime);
                // Others validate our tokens with the published JWKS: a plain signed JWS, never encrypted.
                server.DisableAccessTokenEncryption();
                // Nothing is encrypted, but OpenIddict wants an encryption key; it never leaves the process.
                server.AddEphemeralEncryptionKey();
                server.AddEventHandler(ClientCredentialsTokenHandler.Descriptor);
                server.AddEventHandler(RingSigningCredentialsHandler.Descriptor);
                var aspNetCore = server.UseAspNetCore();
                if (plainHttpAllowed)
                {
                    aspNetCore.DisableTransportSecurityRequirement();
                }
            })
            .AddValidation(validation =>
            {
                validation.UseLocalServer();
                validation.UseAspNetCore();
                validation.AddAudiences(ExchangeAudiences.Authority);
                // A revoked token (its client was disabled) stops working at once.
                validation.EnableTokenEntryValidation();
                validation.AddEventHandler(RequireTokenEntryHandler.Descriptor);
            });

        services.AddAuthentication(OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme);
        return builder;
    }

    /// <summary>
    /// Plain HTTP for the token server only in the development profiles: "Development" (local runs, the sandbox)
    /// and "Testing" (the in-memory test server). Every other environment requires HTTPS.
    /// </summary>
    public static bool AllowsPlainHttp(IHostEnvironment environment) =>
        environment.IsDevelopment() || environment.IsEnvironment("Testing");

    private static void TryAddTimeProvider(this IServiceCollection services)
    {
        if (!services.Any(d => d.ServiceType == typeof(TimeProvider)))
        {
            services.AddSingleton(TimeProvider.System);
        }
    }
}

/// <summary>Publishes every ring key in OpenIddict's signing credentials (JWKS, local validation) and gives it our clock.</summary>
internal sealed class KeyRingServerOptions(SigningKeyRing ring, TimeProvider time) : IConfigureOptions<OpenIddictServerOptions>
{
    public void Configure(OpenIddictServerOptions options)
    {
        options.TimeProvider = time;
        foreach (var key in ring.State.Published)
        {
            options.SigningCredentials.Add(new Microsoft.IdentityModel.Tokens.SigningCredentials(key.SecurityKey, Microsoft.IdentityModel.Tokens.SecurityAlgorithms.EcdsaSha256));
        }
    }
}

internal sealed class ValidationClockOptions(TimeProvider time) : IConfigureOptions<OpenIddictValidationOptions>
{
    public void Configure(OpenIddictValidationOptions options) => options.TimeProvider = time;
}

/// <summary>
/// When the ring changes, OpenIddict's options are rebuilt: the server's first (its JWKS and signing credentials),
/// then validation's, which imports the server's keys when it is built.
/// </summary>
internal sealed class IdentityOptionsRefresher
{
    public IdentityOptionsRefresher(SigningKeyRing ring, IOptionsMonitorCache<OpenIddictServerOptions> server, IOptionsMonitorCache<OpenIddictValidationOptions> validation)
    {
        ring.Changed += _ =>
        {
            server.TryRemove(Options.DefaultName);
            validation.TryRemove(Options.DefaultName);
        };
    }
}
