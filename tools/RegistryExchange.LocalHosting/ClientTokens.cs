using System.Collections.Concurrent;
using Duende.IdentityModel.Client;

namespace RegistryExchange.LocalHosting;

/// <summary>A client's credentials at the authority's token server. The secret is never printed by ToString.</summary>
public sealed record OAuthClient(string ClientId, string ClientSecret)
{
    public override string ToString() => $"client {ClientId}";
}

/// <summary>Access tokens by client credentials from a token endpoint, cached per client and renewed when a third of
/// their lifetime is left: helpers that call the authority for minutes (crash tests) never send an expired one.</summary>
public sealed class ClientTokens(Uri tokenEndpoint) : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly ConcurrentDictionary<string, (string Token, DateTimeOffset RenewAt)> _cache = new();
    private readonly SemaphoreSlim _renewing = new(1, 1);

    public Uri TokenEndpoint { get; } = tokenEndpoint;

    public async Task<string> GetAsync(OAuthClient client, CancellationToken ct = default)
    {
        if (_cache.TryGetValue(client.ClientId, out var cached) && DateTimeOffset.UtcNow < cached.RenewAt)
        {
            return cached.Token;
        }
        await _renewing.WaitAsync(ct);
        try
        {
            if (_cache.TryGetValue(client.ClientId, out cached) && DateTimeOffset.UtcNow < cached.RenewAt)
            {
                return cached.Token;
            }
            var requestedAt = DateTimeOffset.UtcNow;
            var response = await RequestAsync(client, ct);
            var lifetime = TimeSpan.FromSeconds(response.ExpiresIn > 0 ? response.ExpiresIn : 60);
            _cache[client.ClientId] = (response.AccessToken!, requestedAt + lifetime * 2 / 3);
            return response.AccessToken!;
        }
        finally
        {
            _renewing.Release();
        }
    }

    /// <summary>One token request, uncached; throws with the endpoint's error when refused.</summary>
    public async Task<TokenResponse> RequestAsync(OAuthClient client, CancellationToken ct = default)
    {
        var response = await _http.RequestClientCredentialsTokenAsync(new ClientCredentialsTokenRequest
        {
            Address = TokenEndpoint.ToString(),
            ClientId = client.ClientId,
            ClientSecret = client.ClientSecret,
        }, ct);
        if (response.IsError || string.IsNullOrEmpty(response.AccessToken))
        {
            throw new InvalidOperationException(
                $"{TokenEndpoint} refused {client}: {(int)response.HttpStatusCode} {response.TryGet("error") ?? response.Error} {response.TryGet("error_description") ?? response.ErrorDescription}");
        }
        return response;
    }

    public void Dispose()
    {
        _http.Dispose();
        _renewing.Dispose();
    }
}
