namespace RegistryExchange.Authority.Identity;

/// <summary><c>Identity:*</c>: the token server's issuer, token lifetime, signing key ring and seed clients.</summary>
public sealed class IdentityOptions
{
    public const string Section = "Identity";

    /// <summary>Tokens never live longer than this (issue 3): a lost token is useless within minutes.</summary>
    public static readonly TimeSpan MaxAccessTokenLifetime = TimeSpan.FromMinutes(10);

    /// <summary>The issuer (<c>iss</c>) of every token; https outside the development profiles. Required.</summary>
    public Uri? Issuer { get; set; }

    /// <summary>Default and maximum 10 minutes.</summary>
    public TimeSpan AccessTokenLifetime { get; set; } = MaxAccessTokenLifetime;

    /// <summary>Where the ES256 signing keys live, one file per key (private: mode 0600).</summary>
    public string KeyDirectory { get; set; } = "identity-keys";

    /// <summary>How long a key signs before its successor takes over.</summary>
    public TimeSpan KeyRotationInterval { get; set; } = TimeSpan.FromDays(30);

    /// <summary>A new key is in the JWKS this long before it signs, so every validator has fetched it first.</summary>
    public TimeSpan KeyPublishLead { get; set; } = TimeSpan.FromDays(1);

    /// <summary>A retired key stays in the JWKS this long after its successor took over; at least the token lifetime.</summary>
    public TimeSpan KeyOverlap { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How often the maintenance job looks at the key ring and prunes tokens.</summary>
    public TimeSpan MaintenanceInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Token and authorization entries older than this are pruned (they are expired long before).</summary>
    public TimeSpan TokenRetention { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Clients created (or whose secret is reset) at start-up.</summary>
    public List<SeedClientOptions> SeedClients { get; set; } = [];

    /// <summary>Every problem with the settings, empty when they are usable. <paramref name="plainHttpAllowed"/> in development profiles only.</summary>
    public IReadOnlyList<string> Problems(bool plainHttpAllowed)
    {
        var problems = new List<string>();
        if (Issuer is null || !Issuer.IsAbsoluteUri)
        {
            problems.Add("Identity:Issuer must be an absolute URI (e.g. https://exchange.example/).");
        }
        else if (Issuer.Scheme != Uri.UriSchemeHttps && !(plainHttpAllowed && Issuer.Scheme == Uri.UriSchemeHttp))
        {
            problems.Add($"Identity:Issuer must use https outside the Development environment (it is {Issuer.Scheme}).");
        }
        if (AccessTokenLifetime <= TimeSpan.Zero || AccessTokenLifetime > MaxAccessTokenLifetime)
        {
            problems.Add($"Identity:AccessTokenLifetime must be more than zero and at most {MaxAccessTokenLifetime} (it is {AccessTokenLifetime}).");
        }
        if (string.IsNullOrWhiteSpace(KeyDirectory))
        {
            problems.Add("Identity:KeyDirectory must name a directory for the signing keys.");
        }
        if (KeyPublishLead < TimeSpan.Zero || KeyRotationInterval <= KeyPublishLead)
        {
            problems.Add("Identity:KeyRotationInterval must be longer than Identity:KeyPublishLead, which must not be negative.");
        }
        if (KeyOverlap < AccessTokenLifetime)
        {
            problems.Add("Identity:KeyOverlap must be at least Identity:AccessTokenLifetime: a token signed just before a rotation must still validate.");
        }
        if (MaintenanceInterval <= TimeSpan.Zero || (MaintenanceInterval > KeyPublishLead && KeyPublishLead > TimeSpan.Zero))
        {
            problems.Add("Identity:MaintenanceInterval must be more than zero and at most Identity:KeyPublishLead.");
        }
        for (var i = 0; i < SeedClients.Count; i++)
        {
            problems.AddRange(SeedClients[i].Problems().Select(p => $"Identity:SeedClients:{i}: {p}"));
        }
        var duplicates = SeedClients.GroupBy(c => c.ClientId, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (duplicates.Count > 0)
        {
            problems.Add($"Identity:SeedClients has duplicate client ids: {string.Join(", ", duplicates)}.");
        }
        return problems;
    }
}

/// <summary>What a client may be; decides its scopes and the claims in its tokens.</summary>
public enum ClientKindSetting
{
    SchoolAgent,
    Employer,
    Staff,
    FeedConsumer,
}

/// <summary><c>Identity:SeedClients:N</c>.</summary>
public sealed class SeedClientOptions
{
    public string ClientId { get; set; } = "";
    /// <summary>Applied at every start (stored hashed). Optional when <see cref="JsonWebKeySet"/> is set.</summary>
    public string ClientSecret { get; set; } = "";
    public ClientKindSetting Kind { get; set; }
    /// <summary>School agents only: the school the agent acts for; the school must exist (<c>Schools</c>).</summary>
    public string SchoolCode { get; set; } = "";
    public string DisplayName { get; set; } = "";
    /// <summary>A public JWKS (JSON): the client may authenticate with signed assertions (private_key_jwt).</summary>
    public string JsonWebKeySet { get; set; } = "";

    public IEnumerable<string> Problems()
    {
        if (!ClientRegistry.IsValidClientId(ClientId))
        {
            yield return "ClientId must be 3-100 letters, digits, '-', '_' or '.'.";
        }
        if (ClientSecret.Length == 0 && JsonWebKeySet.Length == 0)
        {
            yield return "a ClientSecret or a JsonWebKeySet is required.";
        }
        if (ClientSecret.Length is > 0 and < 16)
        {
            yield return "ClientSecret must have at least 16 characters.";
        }
        if (!Enum.IsDefined(Kind))
        {
            yield return "Kind must be SchoolAgent, Employer, Staff or FeedConsumer.";
        }
        if (Kind == ClientKindSetting.SchoolAgent && SchoolCode.Length == 0)
        {
            yield return "a SchoolAgent needs its SchoolCode.";
        }
        if (Kind != ClientKindSetting.SchoolAgent && SchoolCode.Length > 0)
        {
            yield return "only a SchoolAgent has a SchoolCode.";
        }
    }
}
