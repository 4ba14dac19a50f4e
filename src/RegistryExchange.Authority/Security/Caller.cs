using Grpc.Core;
using RegistryExchange.Protocol.Identity;

namespace RegistryExchange.Authority.Security;

/// <summary>
/// Who is calling, from the validated access token only: client id, kind (<see cref="ClientKinds"/>) and, for a
/// school agent, its school. <see cref="Purpose"/> is what the caller declared in the <c>rx-purpose</c> header.
/// </summary>
public sealed record Caller(string ClientId, string Kind, string? SchoolCode, string? Purpose)
{
    public const string PurposeHeader = "rx-purpose";
    private const int MaxPurposeLength = 200;

    public static Caller From(ServerCallContext context)
    {
        var user = context.GetHttpContext().User;
        var purpose = context.RequestHeaders.GetValue(PurposeHeader);
        if (purpose is not null)
        {
            // Headers are ASCII: clients percent-encode a purpose in Chinese (rx does).
            purpose = Uri.UnescapeDataString(purpose).Trim();
            purpose = purpose.Length == 0 ? null : purpose[..Math.Min(purpose.Length, MaxPurposeLength)];
        }
        return new Caller(
            user.FindFirst(ExchangeClaims.ClientId)?.Value ?? "anonymous",
            user.FindFirst(ExchangeClaims.Kind)?.Value ?? "unknown",
            user.FindFirst(ExchangeClaims.SchoolCode)?.Value,
            purpose);
    }
}

public static class CallerExtensions
{
    public static Caller Caller(this ServerCallContext context) => Security.Caller.From(context);
}
