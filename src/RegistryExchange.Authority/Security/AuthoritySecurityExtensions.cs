using Grpc.Core;
using Microsoft.AspNetCore.Authentication;
using RegistryExchange.Protocol;

namespace RegistryExchange.Authority.Security;

public static class AuthorityRoles
{
    public const string School = "school";
    public const string Staff = "staff";
    public const string Feed = "feed";
}

public static class AuthorityClaims
{
    public const string SchoolCode = "school_code";
}

public static class AuthorityPolicies
{
    public const string School = "school";
    public const string Staff = "staff";
    public const string FeedReader = "feed-reader";
}

public static class AuthoritySecurityExtensions
{
    /// <summary>Authentication (the development scheme, active only with <c>DevelopmentAuth:Enabled=true</c>) and the service policies.</summary>
    public static WebApplicationBuilder AddAuthoritySecurity(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<DevelopmentAuthOptions>(builder.Configuration.GetSection("DevelopmentAuth"));
        builder.Services.AddAuthentication(DevelopmentAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, DevelopmentAuthenticationHandler>(DevelopmentAuthenticationHandler.SchemeName, null);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(AuthorityPolicies.School, p => p.RequireRole(AuthorityRoles.School).RequireClaim(AuthorityClaims.SchoolCode))
            .AddPolicy(AuthorityPolicies.Staff, p => p.RequireRole(AuthorityRoles.Staff))
            .AddPolicy(AuthorityPolicies.FeedReader, p => p.RequireRole(AuthorityRoles.Staff, AuthorityRoles.Feed));
        return builder;
    }

    /// <summary>The calling school, from the authenticated principal only; never from a request field.</summary>
    public static string SchoolCode(this ServerCallContext context) =>
        context.GetHttpContext().User.FindFirst(AuthorityClaims.SchoolCode)?.Value
        ?? throw RichErrors.WithReason(StatusCode.PermissionDenied, "NOT_A_SCHOOL", "The caller is not a school.");
}
