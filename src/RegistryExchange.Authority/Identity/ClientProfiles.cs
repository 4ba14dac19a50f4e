using RegistryExchange.Protocol.Identity;

namespace RegistryExchange.Authority.Identity;

/// <summary>What each kind of client is: the <c>rx_kind</c> claim its tokens carry and the scopes it may ask for.</summary>
public static class ClientProfiles
{
    public static string KindClaim(ClientKindSetting kind) => kind switch
    {
        ClientKindSetting.SchoolAgent => ClientKinds.School,
        ClientKindSetting.Employer => ClientKinds.Employer,
        ClientKindSetting.Staff => ClientKinds.Staff,
        ClientKindSetting.FeedConsumer => ClientKinds.Feed,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static ClientKindSetting? FromKindClaim(string? claim) => claim switch
    {
        ClientKinds.School => ClientKindSetting.SchoolAgent,
        ClientKinds.Employer => ClientKindSetting.Employer,
        ClientKinds.Staff => ClientKindSetting.Staff,
        ClientKinds.Feed => ClientKindSetting.FeedConsumer,
        _ => null,
    };

    /// <summary>Function-level limits: an employer can only verify, a school never gets staff scopes.</summary>
    public static IReadOnlyList<string> Scopes(ClientKindSetting kind) => kind switch
    {
        ClientKindSetting.SchoolAgent => [ExchangeScopes.Sync, ExchangeScopes.Transfers, ExchangeScopes.Certificates, ExchangeScopes.Reconcile],
        ClientKindSetting.Employer => [ExchangeScopes.Verify],
        ClientKindSetting.Staff => [ExchangeScopes.Admin, ExchangeScopes.Audit, ExchangeScopes.Reconcile, ExchangeScopes.Feed, ExchangeScopes.Transfers],
        ClientKindSetting.FeedConsumer => [ExchangeScopes.Feed],
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
