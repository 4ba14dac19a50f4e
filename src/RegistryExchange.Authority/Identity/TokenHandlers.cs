using System.Security.Claims;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using RegistryExchange.Protocol.Identity;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace RegistryExchange.Authority.Identity;

/// <summary>
/// The client credentials grant: the token says who the client is (client_id, rx_kind, school_code for a school
/// agent) and what it may do (scopes of its kind only). No scope asked → every scope of its kind.
/// </summary>
public sealed class ClientCredentialsTokenHandler(ClientRegistry clients, IOptions<IdentityOptions> options) : IOpenIddictServerHandler<HandleTokenRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<HandleTokenRequestContext>()
            .UseScopedHandler<ClientCredentialsTokenHandler>()
            .SetOrder(int.MinValue + 100_000)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(HandleTokenRequestContext context)
    {
        if (!context.Request.IsClientCredentialsGrantType() || context.Request.ClientId is not { } clientId)
        {
            context.Reject(Errors.UnsupportedGrantType, "Only the client credentials grant is supported.");
            return;
        }
        var client = await clients.FindActiveAsync(clientId, context.CancellationToken);
        if (client is null)
        {
            context.Reject(Errors.InvalidClient, "The client is disabled.");
            return;
        }
        var requested = context.Request.GetScopes();
        var notAllowed = requested.Where(s => !client.Scopes.Contains(s, StringComparer.Ordinal)).ToList();
        if (notAllowed.Count > 0)
        {
            context.Reject(Errors.InvalidScope, $"This client may not ask for: {string.Join(' ', notAllowed)}.");
            return;
        }

        var identity = new ClaimsIdentity(TokenValidationParameters.DefaultAuthenticationType, Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, client.ClientId);
        identity.SetClaim(ExchangeClaims.Kind, ClientProfiles.KindClaim(client.Kind));
        if (client.SchoolCode is not null)
        {
            identity.SetClaim(ExchangeClaims.SchoolCode, client.SchoolCode);
        }
        identity.SetScopes(requested.IsEmpty ? client.Scopes : requested);
        identity.SetResources(ExchangeAudiences.Authority);
        identity.SetAccessTokenLifetime(options.Value.AccessTokenLifetime);
        // Claims stay out of every token unless they are given a destination.
        identity.SetDestinations(_ => [Destinations.AccessToken]);
        context.SignIn(new ClaimsPrincipal(identity));
    }
}

/// <summary>Every token is signed with the ring's current key, whatever order OpenIddict keeps its credentials in.</summary>
public sealed class RingSigningCredentialsHandler(SigningKeyRing ring) : IOpenIddictServerHandler<GenerateTokenContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<GenerateTokenContext>()
            .UseSingletonHandler<RingSigningCredentialsHandler>()
            .SetOrder(OpenIddictServerHandlers.Protection.AttachSecurityCredentials.Descriptor.Order + 1)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(GenerateTokenContext context)
    {
        context.SigningCredentials = ring.State.SigningCredentials;
        return default;
    }
}

/// <summary>
/// Every token we issue has a token entry (revocation works through it); OpenIddict skips the entry check for a
/// token without an entry id, so such a token — which only a holder of a signing key could make — is refused here.
/// </summary>
public sealed class RequireTokenEntryHandler : OpenIddict.Validation.IOpenIddictValidationHandler<OpenIddict.Validation.OpenIddictValidationEvents.ValidateTokenContext>
{
    public static OpenIddict.Validation.OpenIddictValidationHandlerDescriptor Descriptor { get; } =
        OpenIddict.Validation.OpenIddictValidationHandlerDescriptor.CreateBuilder<OpenIddict.Validation.OpenIddictValidationEvents.ValidateTokenContext>()
            .UseSingletonHandler<RequireTokenEntryHandler>()
            .SetOrder(OpenIddict.Validation.OpenIddictValidationHandlers.Protection.ValidateTokenEntry.Descriptor.Order - 1)
            .SetType(OpenIddict.Validation.OpenIddictValidationHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(OpenIddict.Validation.OpenIddictValidationEvents.ValidateTokenContext context)
    {
        if (context.Principal is not null && string.IsNullOrEmpty(context.Principal.GetTokenId()))
        {
            context.Reject(Errors.InvalidToken, "The token has no token entry.");
        }
        return default;
    }
}
