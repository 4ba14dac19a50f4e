using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using OpenIddict.Abstractions;
using RegistryExchange.Protocol;
using RegistryExchange.Protocol.Identity;

namespace RegistryExchange.Authority.Security;

/// <summary>
/// Authorization policies by scope and client kind (function-level checks). Object-level checks (a school only
/// touches its own students) are made inside the services with the school from the token.
/// </summary>
public static class AuthorityPolicies
{
    /// <summary>A school agent with scope <c>sync</c> and its school in the token.</summary>
    public const string Sync = "sync";
    /// <summary>Scope <c>feed</c> (feed consumers and staff).</summary>
    public const string Feed = "feed";
    /// <summary>Authority staff with scope <c>admin</c>: clients, duplicate cases.</summary>
    public const string StaffAdmin = "staff-admin";
    /// <summary>Authority staff with scope <c>audit</c>: the whole access log.</summary>
    public const string Audit = "audit";
    /// <summary>"Who accessed this record": staff with <c>audit</c>, or a school agent with <c>sync</c> (the service checks the school owns the student).</summary>
    public const string AuditStudentAccess = "audit-student-access";
    /// <summary>Scope <c>verify</c>: certificate verification (employers).</summary>
    public const string Verify = "verify";
}

public static class AuthoritySecurityExtensions
{
    /// <summary>The policies above. Authentication (OpenIddict validation) is added by <c>AddAuthorityIdentity</c>.</summary>
    public static WebApplicationBuilder AddAuthoritySecurity(this WebApplicationBuilder builder)
    {
        builder.Services.AddAuthorizationBuilder()
            // Every endpoint needs a token unless it says otherwise (health, reflection): a new service cannot forget.
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(AuthorityPolicies.Sync, p => p.RequireKind(ClientKinds.School).RequireScope(ExchangeScopes.Sync).RequireClaim(ExchangeClaims.SchoolCode))
            .AddPolicy(AuthorityPolicies.Feed, p => p.RequireScope(ExchangeScopes.Feed))
            .AddPolicy(AuthorityPolicies.StaffAdmin, p => p.RequireKind(ClientKinds.Staff).RequireScope(ExchangeScopes.Admin))
            .AddPolicy(AuthorityPolicies.Audit, p => p.RequireKind(ClientKinds.Staff).RequireScope(ExchangeScopes.Audit))
            .AddPolicy(AuthorityPolicies.AuditStudentAccess, p => p.RequireAuthenticatedUser().RequireAssertion(c =>
                (HasKind(c, ClientKinds.Staff) && c.User.HasScope(ExchangeScopes.Audit))
                || (HasKind(c, ClientKinds.School) && c.User.HasScope(ExchangeScopes.Sync) && c.User.HasClaim(x => x.Type == ExchangeClaims.SchoolCode))))
            .AddPolicy(AuthorityPolicies.Verify, p => p.RequireScope(ExchangeScopes.Verify));
        return builder;
    }

    private static AuthorizationPolicyBuilder RequireKind(this AuthorizationPolicyBuilder policy, string kind) =>
        policy.RequireAuthenticatedUser().RequireClaim(ExchangeClaims.Kind, kind);

    private static AuthorizationPolicyBuilder RequireScope(this AuthorizationPolicyBuilder policy, string scope) =>
        policy.RequireAuthenticatedUser().RequireAssertion(c => c.User.HasScope(scope));

    private static bool HasKind(AuthorizationHandlerContext context, string kind) => context.User.HasClaim(ExchangeClaims.Kind, kind);

    /// <summary>The calling school, from the validated token only; never from a request field.</summary>
    public static string SchoolCode(this ServerCallContext context) =>
        context.GetHttpContext().User.FindFirst(ExchangeClaims.SchoolCode)?.Value
        ?? throw RichErrors.WithReason(StatusCode.PermissionDenied, "NOT_A_SCHOOL", "The caller is not a school.");
}
