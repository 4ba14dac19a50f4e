using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using RegistryExchange.Authority.Schools;
using RegistryExchange.Domain.Codes;
using RegistryExchange.Domain.Validation;
using RegistryExchange.Storage;
using RegistryExchange.Storage.Model;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace RegistryExchange.Authority.Identity;

/// <summary>A client as staff see it. Never carries a secret.</summary>
public sealed record ClientInfo(
    string ClientId, string DisplayName, ClientKindSetting Kind, string? SchoolCode, IReadOnlyList<string> Scopes,
    bool Disabled, DateTimeOffset? CreatedAt, DateTimeOffset? SecretRotatedAt);

/// <summary>A client and the secret that was just generated for it: shown once, stored only as a hash.</summary>
public sealed record IssuedClient(ClientInfo Client, string ClientSecret, Uri TokenEndpoint);

/// <summary>The request broke the rules; <see cref="Errors"/> names each field.</summary>
public sealed class ClientRequestException(IReadOnlyList<ValidationError> errors)
    : Exception(string.Join("; ", errors.Select(e => $"{e.Field}: {e.Description}")))
{
    public IReadOnlyList<ValidationError> Errors { get; } = errors;
}

public sealed class ClientNotFoundException(string clientId) : Exception($"No client '{clientId}'.")
{
    public string ClientId { get; } = clientId;
}

/// <summary>
/// The OAuth clients of the token server, kept in OpenIddict's application store. Our facts about a client (kind,
/// school, disabled, dates) live in the application's properties; the kind decides the scopes (<see cref="ClientProfiles"/>).
/// Used by start-up seeding and by <c>ClientAdminService</c>. Secrets are hashed by OpenIddict and never logged.
/// </summary>
public sealed class ClientRegistry(
    IOpenIddictApplicationManager applications,
    IOpenIddictTokenManager tokens,
    AuthorityDbContext db,
    IOptions<IdentityOptions> options,
    TimeProvider time,
    ILogger<ClientRegistry> logger)
{
    internal const string KindProperty = "rx_kind";
    internal const string SchoolCodeProperty = "rx_school_code";
    internal const string CreatedAtProperty = "rx_created_at";
    internal const string SecretRotatedAtProperty = "rx_secret_rotated_at";
    internal const string DisabledAtProperty = "rx_disabled_at";
    internal const string DisabledReasonProperty = "rx_disabled_reason";

    public Uri TokenEndpoint => new(options.Value.Issuer ?? throw new InvalidOperationException("Identity:Issuer is not set."), "connect/token");

    public static bool IsValidClientId(string clientId) =>
        clientId.Length is >= 3 and <= 100 && clientId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    /// <summary>32 random bytes, base64url: 256 bits, safe in URLs, headers and form bodies.</summary>
    public static string NewSecret() => Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));

    /// <summary>Creates the client if missing; otherwise makes its kind, school, display name and secret those of the settings.</summary>
    public async Task<bool> EnsureSeededAsync(SeedClientOptions seed, CancellationToken ct)
    {
        if (seed.Kind == ClientKindSetting.SchoolAgent && !await db.Schools.AnyAsync(s => s.Code == seed.SchoolCode, ct))
        {
            throw new InvalidOperationException(
                $"Identity:SeedClients: client '{seed.ClientId}' is the agent of school '{seed.SchoolCode}', which is not configured (Schools).");
        }
        var jwks = seed.JsonWebKeySet.Length > 0 ? ParseJwks(seed.JsonWebKeySet, "Identity:SeedClients:JsonWebKeySet") : null;
        var existing = await applications.FindByClientIdAsync(seed.ClientId, ct);
        if (existing is null)
        {
            var descriptor = NewDescriptor(seed.ClientId, seed.DisplayName.Length > 0 ? seed.DisplayName : seed.ClientId, seed.Kind,
                seed.SchoolCode.Length > 0 ? seed.SchoolCode : null, seed.ClientSecret.Length > 0 ? seed.ClientSecret : null, jwks);
            await applications.CreateAsync(descriptor, ct);
            return true;
        }
        var current = new OpenIddictApplicationDescriptor();
        await applications.PopulateAsync(current, existing, ct);
        if (current.Properties.ContainsKey(DisabledAtProperty))
        {
            // Staff disabled it (perhaps for a leaked secret): configuration does not silently bring it back.
            logger.LogWarning("Seed client {ClientId} is disabled and stays disabled; re-enable it by registering a new client", seed.ClientId);
            return false;
        }
        var before = Fingerprint(current);
        ApplyProfile(current, seed.Kind, seed.SchoolCode.Length > 0 ? seed.SchoolCode : null);
        current.DisplayName = seed.DisplayName.Length > 0 ? seed.DisplayName : seed.ClientId;
        current.JsonWebKeySet = jwks;
        var secretChanged = seed.ClientSecret.Length > 0 && !await applications.ValidateClientSecretAsync(existing, seed.ClientSecret, ct);
        if (!secretChanged && Fingerprint(current) == before)
        {
            return false; // nothing to write: instances starting together do not contend
        }
        try
        {
            // The descriptor holds the stored hash; only a changed secret is hashed again.
            if (secretChanged)
            {
                current.ClientSecret = seed.ClientSecret;
                current.Properties[SecretRotatedAtProperty] = JsonSerializer.SerializeToElement(time.GetUtcNow());
                await applications.UpdateAsync(existing, current, ct);
            }
            else
            {
                await applications.PopulateAsync(existing, current, ct);
                await applications.UpdateAsync(existing, ct);
            }
        }
        catch (OpenIddictExceptions.ConcurrencyException)
        {
            // Another instance applied the same settings at the same moment.
        }
        return false;
    }

    /// <summary>What seeding may change, as one comparable string.</summary>
    private static string Fingerprint(OpenIddictApplicationDescriptor descriptor) => string.Join('|',
        descriptor.DisplayName,
        string.Join(' ', descriptor.Permissions.Order(StringComparer.Ordinal)),
        descriptor.Properties.TryGetValue(KindProperty, out var kind) ? kind.ToString() : "",
        descriptor.Properties.TryGetValue(SchoolCodeProperty, out var school) ? school.ToString() : "",
        descriptor.JsonWebKeySet is null ? "" : string.Join(' ', descriptor.JsonWebKeySet.Keys.Select(k => $"{k.Kid}:{k.Crv}:{k.X}:{k.Y}:{k.N}:{k.E}")));

    /// <summary>Registers the school if the authority does not know it yet, and a new agent client for it.</summary>
    public async Task<(IssuedClient Issued, bool SchoolCreated)> RegisterSchoolAsync(string schoolCode, string name, string regionCode, string jsonWebKeySet, CancellationToken ct)
    {
        var errors = new List<ValidationError>();
        if (!SchoolOptions.IsValidCode(schoolCode))
        {
            errors.Add(new("school_code", "must be 1-32 letters, digits, '-' or '_'"));
        }
        var school = errors.Count == 0 ? await db.Schools.SingleOrDefaultAsync(s => s.Code == schoolCode, ct) : null;
        if (school is null)
        {
            if (name.Trim().Length is 0 or > 200)
            {
                errors.Add(new("name", "a new school needs a name of 1-200 characters"));
            }
            if (!Regions.IsValidRegionCode(regionCode))
            {
                errors.Add(new("region_code", "must be a six-digit GB/T 2260 region code"));
            }
        }
        var jwks = ParseOptionalJwks(jsonWebKeySet, errors);
        if (errors.Count > 0)
        {
            throw new ClientRequestException(errors);
        }
        var created = false;
        if (school is null)
        {
            db.Schools.Add(new SchoolRow { Code = schoolCode, Name = name.Trim(), RegionCode = regionCode });
            await db.SaveChangesAsync(ct);
            created = true;
        }
        var issued = await CreateAsync($"school-{schoolCode.ToLowerInvariant()}-{Suffix()}", $"{(school?.Name ?? name.Trim())} agent",
            ClientKindSetting.SchoolAgent, schoolCode, jwks, ct);
        return (issued, created);
    }

    public Task<IssuedClient> RegisterEmployerAsync(string displayName, string organisationCode, string jsonWebKeySet, CancellationToken ct)
    {
        var errors = new List<ValidationError>();
        if (displayName.Trim().Length is 0 or > 200)
        {
            errors.Add(new("display_name", "must have 1-200 characters"));
        }
        if (organisationCode.Length > 0 && (organisationCode.Length != 18 || !organisationCode.All(c => char.IsAsciiDigit(c) || char.IsAsciiLetterUpper(c))))
        {
            errors.Add(new("organisation_code", "a unified social credit code has 18 digits or capital letters"));
        }
        var jwks = ParseOptionalJwks(jsonWebKeySet, errors);
        if (errors.Count > 0)
        {
            throw new ClientRequestException(errors);
        }
        var name = organisationCode.Length > 0 ? $"{displayName.Trim()} ({organisationCode})" : displayName.Trim();
        return CreateAsync($"employer-{Suffix()}", name, ClientKindSetting.Employer, null, jwks, ct);
    }

    /// <summary>A staff tool or a feed consumer, with an optional public JWKS for signed client assertions.</summary>
    public Task<IssuedClient> RegisterClientAsync(ClientKindSetting kind, string displayName, string jsonWebKeySet, CancellationToken ct)
    {
        var errors = new List<ValidationError>();
        if (kind is not (ClientKindSetting.Staff or ClientKindSetting.FeedConsumer))
        {
            errors.Add(new("kind", "must be CLIENT_KIND_STAFF or CLIENT_KIND_FEED_CONSUMER (schools and employers have their own requests)"));
        }
        if (displayName.Trim().Length is 0 or > 200)
        {
            errors.Add(new("display_name", "must have 1-200 characters"));
        }
        var jwks = ParseOptionalJwks(jsonWebKeySet, errors);
        if (errors.Count > 0)
        {
            throw new ClientRequestException(errors);
        }
        var prefix = kind == ClientKindSetting.Staff ? "staff" : "feed";
        return CreateAsync($"{prefix}-{Suffix()}", displayName.Trim(), kind, null, jwks, ct);
    }

    /// <summary>A new secret; the old one stops working at once (every token request checks the stored hash).</summary>
    public async Task<IssuedClient> RotateSecretAsync(string clientId, CancellationToken ct)
    {
        var application = await FindAsync(clientId, ct);
        var secret = NewSecret();
        var descriptor = new OpenIddictApplicationDescriptor();
        await applications.PopulateAsync(descriptor, application, ct);
        descriptor.ClientSecret = secret;
        descriptor.Properties[SecretRotatedAtProperty] = JsonSerializer.SerializeToElement(time.GetUtcNow());
        await applications.UpdateAsync(application, descriptor, ct);
        logger.LogInformation("Rotated the secret of client {ClientId}", clientId);
        return new IssuedClient(await DescribeAsync(application, ct), secret, TokenEndpoint);
    }

    public async Task<IReadOnlyList<ClientInfo>> ListAsync(ClientKindSetting? kind, bool includeDisabled, CancellationToken ct)
    {
        var result = new List<ClientInfo>();
        await foreach (var application in applications.ListAsync(count: null, offset: null, ct))
        {
            var info = await DescribeAsync(application, ct);
            if ((kind is null || info.Kind == kind) && (includeDisabled || !info.Disabled))
            {
                result.Add(info);
            }
        }
        return [.. result.OrderBy(c => c.ClientId, StringComparer.Ordinal)];
    }

    /// <summary>No new tokens (permissions removed, the token handler refuses it) and every outstanding token revoked.</summary>
    public async Task<ClientInfo> DisableAsync(string clientId, string reason, CancellationToken ct)
    {
        if (reason.Trim().Length is 0 or > 500)
        {
            throw new ClientRequestException([new("reason", "say why in 1-500 characters")]);
        }
        var application = await FindAsync(clientId, ct);
        var descriptor = new OpenIddictApplicationDescriptor();
        await applications.PopulateAsync(descriptor, application, ct);
        descriptor.Permissions.Clear();
        descriptor.Properties[DisabledAtProperty] = JsonSerializer.SerializeToElement(time.GetUtcNow());
        descriptor.Properties[DisabledReasonProperty] = JsonSerializer.SerializeToElement(reason.Trim());
        await applications.PopulateAsync(application, descriptor, ct);
        await applications.UpdateAsync(application, ct);
        var revoked = await tokens.RevokeByApplicationIdAsync((await applications.GetIdAsync(application, ct))!, ct);
        logger.LogInformation("Disabled client {ClientId}; {Count} outstanding tokens revoked", clientId, revoked);
        return await DescribeAsync(application, ct);
    }

    /// <summary>The client's facts, or null for an unknown or disabled client.</summary>
    public async Task<ClientInfo?> FindActiveAsync(string clientId, CancellationToken ct)
    {
        var application = await applications.FindByClientIdAsync(clientId, ct);
        if (application is null)
        {
            return null;
        }
        var info = await DescribeAsync(application, ct);
        return info.Disabled ? null : info;
    }

    private async Task<object> FindAsync(string clientId, CancellationToken ct)
    {
        if (!IsValidClientId(clientId))
        {
            throw new ClientRequestException([new("client_id", "must be 3-100 letters, digits, '-', '_' or '.'")]);
        }
        return await applications.FindByClientIdAsync(clientId, ct) ?? throw new ClientNotFoundException(clientId);
    }

    private async Task<IssuedClient> CreateAsync(string clientId, string displayName, ClientKindSetting kind, string? schoolCode, JsonWebKeySet? jwks, CancellationToken ct)
    {
        var secret = NewSecret();
        var application = await applications.CreateAsync(NewDescriptor(clientId, displayName, kind, schoolCode, secret, jwks), ct);
        logger.LogInformation("Registered client {ClientId} ({Kind})", clientId, kind);
        return new IssuedClient(await DescribeAsync(application, ct), secret, TokenEndpoint);
    }

    private OpenIddictApplicationDescriptor NewDescriptor(string clientId, string displayName, ClientKindSetting kind, string? schoolCode, string? secret, JsonWebKeySet? jwks)
    {
        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = clientId,
            ClientSecret = secret,
            ClientType = ClientTypes.Confidential,
            DisplayName = displayName,
            JsonWebKeySet = jwks,
        };
        ApplyProfile(descriptor, kind, schoolCode);
        descriptor.Properties[CreatedAtProperty] = JsonSerializer.SerializeToElement(time.GetUtcNow());
        return descriptor;
    }

    private static void ApplyProfile(OpenIddictApplicationDescriptor descriptor, ClientKindSetting kind, string? schoolCode)
    {
        descriptor.Permissions.Clear();
        descriptor.Permissions.Add(Permissions.Endpoints.Token);
        descriptor.Permissions.Add(Permissions.GrantTypes.ClientCredentials);
        foreach (var scope in ClientProfiles.Scopes(kind))
        {
            descriptor.Permissions.Add(Permissions.Prefixes.Scope + scope);
        }
        descriptor.Properties[KindProperty] = JsonSerializer.SerializeToElement(ClientProfiles.KindClaim(kind));
        if (schoolCode is null)
        {
            descriptor.Properties.Remove(SchoolCodeProperty);
        }
        else
        {
            descriptor.Properties[SchoolCodeProperty] = JsonSerializer.SerializeToElement(schoolCode);
        }
    }

    private async Task<ClientInfo> DescribeAsync(object application, CancellationToken ct)
    {
        var properties = await applications.GetPropertiesAsync(application, ct);
        var kind = ClientProfiles.FromKindClaim(Text(properties, KindProperty))
            ?? throw new InvalidOperationException("A client without a kind: it was not created by the client registry.");
        return new ClientInfo(
            (await applications.GetClientIdAsync(application, ct))!,
            await applications.GetDisplayNameAsync(application, ct) ?? "",
            kind,
            Text(properties, SchoolCodeProperty),
            ClientProfiles.Scopes(kind),
            properties.ContainsKey(DisabledAtProperty),
            Date(properties, CreatedAtProperty),
            Date(properties, SecretRotatedAtProperty));
    }

    private static string? Text(ImmutableDictionary<string, JsonElement> properties, string name) =>
        properties.TryGetValue(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static DateTimeOffset? Date(ImmutableDictionary<string, JsonElement> properties, string name) =>
        properties.TryGetValue(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetDateTimeOffset() : null;

    private static string Suffix() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));

    private static JsonWebKeySet? ParseOptionalJwks(string json, List<ValidationError> errors)
    {
        try
        {
            return json.Length > 0 ? ParseJwks(json, "json_web_key_set") : null;
        }
        catch (ClientRequestException e)
        {
            errors.AddRange(e.Errors);
            return null;
        }
    }

    private static JsonWebKeySet ParseJwks(string json, string field)
    {
        try
        {
            var set = JsonWebKeySet.Create(json);
            if (set.Keys.Count == 0 || set.Keys.Any(k => k.HasPrivateKey))
            {
                throw new ClientRequestException([new(field, "must hold at least one key, and public keys only")]);
            }
            return set;
        }
        catch (ArgumentException)
        {
            throw new ClientRequestException([new(field, "is not a JSON Web Key Set")]);
        }
    }
}
