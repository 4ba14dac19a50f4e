namespace RegistryExchange.Protocol.Identity;

/// <summary>
/// The token contract shared by the authority (which issues and checks tokens), the agent and the tools (which ask
/// for them). Access tokens are ES256 JWS from the authority's OpenID Connect server (docs/decisions/0006).
/// </summary>
public static class ExchangeScopes
{
    public const string Sync = "sync";
    public const string Transfers = "transfers";
    public const string Certificates = "certificates";
    public const string Verify = "verify";
    public const string Reconcile = "reconcile";
    public const string Admin = "admin";
    public const string Audit = "audit";
    public const string Feed = "feed";

    public static readonly IReadOnlyList<string> All = [Sync, Transfers, Certificates, Verify, Reconcile, Admin, Audit, Feed];
}

/// <summary>Claims every access token carries besides the standard ones.</summary>
public static class ExchangeClaims
{
    /// <summary>The OAuth client id (RFC 9068).</summary>
    public const string ClientId = "client_id";
    /// <summary>What kind of client: <see cref="ClientKinds"/>.</summary>
    public const string Kind = "rx_kind";
    /// <summary>The school a school agent acts for. The only source of "which school" in any call.</summary>
    public const string SchoolCode = "school_code";
}

/// <summary>Values of <see cref="ExchangeClaims.Kind"/>.</summary>
public static class ClientKinds
{
    public const string School = "school";
    public const string Employer = "employer";
    public const string Staff = "staff";
    public const string Feed = "feed";
}

/// <summary>The audience (resource) of every access token the authority accepts.</summary>
public static class ExchangeAudiences
{
    public const string Authority = "registryexchange";
}
