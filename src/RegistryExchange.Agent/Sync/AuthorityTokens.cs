using Duende.IdentityModel.Client;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using RegistryExchange.Agent.Hosting;

namespace RegistryExchange.Agent.Sync;

/// <summary>An access token and the times that matter to whoever sends it.</summary>
/// <param name="Value">The bearer token. Never logged.</param>
/// <param name="RenewAt">From this moment the source asks for a new token; a stream opened with this one stops
/// sending then, so no call outlives its token.</param>
/// <param name="ExpiresAt">When the authority stops accepting it.</param>
public sealed record AccessToken(string Value, DateTimeOffset RenewAt, DateTimeOffset ExpiresAt)
{
    public override string ToString() => $"access token (renew at {RenewAt:O}, expires {ExpiresAt:O})";
}

/// <summary>Supplies the bearer token for calls to the authority.</summary>
public interface IAuthorityTokenSource
{
    /// <summary>A token valid until at least its <see cref="AccessToken.RenewAt"/>; cached between calls.</summary>
    ValueTask<AccessToken> GetTokenAsync(CancellationToken ct);

    /// <summary>The authority refused <paramref name="rejected"/> (UNAUTHENTICATED): the next call gets a new one.</summary>
    void Invalidate(AccessToken rejected);
}

/// <summary>The token endpoint refused the agent or could not be reached; the message says which and why.</summary>
public sealed class AuthorityTokenException(string message, bool transient, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>Worth retrying at once (network, 5xx, 429); false for refused credentials or scopes.</summary>
    public bool Transient { get; } = transient;
}

/// <summary>
/// OAuth 2.0 client credentials against the authority's token endpoint (<c>Authority:TokenEndpoint</c>,
/// <c>:ClientId</c>, <c>:ClientSecret</c>, <c>:Scopes</c>). One token is cached and renewed once less than a third of
/// its lifetime (or 60 s, but never more than half of it) is left; concurrent callers share one request; transient
/// endpoint failures are retried with backoff before the caller sees them.
/// </summary>
public sealed class ClientCredentialsTokenSource : IAuthorityTokenSource, IDisposable
{
    public const string HttpClientName = "authority-token-endpoint";

    private readonly IHttpClientFactory _http;
    private readonly IOptions<AuthorityOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ClientCredentialsTokenSource> _logger;
    private readonly SemaphoreSlim _renewing = new(1, 1);
    private readonly ResiliencePipeline _retry;
    private AccessToken? _current;

    public ClientCredentialsTokenSource(IHttpClientFactory http, IOptions<AuthorityOptions> options, TimeProvider time,
        ILogger<ClientCredentialsTokenSource> logger)
    {
        _http = http;
        _options = options;
        _time = time;
        _logger = logger;
        var settings = options.Value;
        _retry = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<AuthorityTokenException>(e => e.Transient),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = settings.TokenRetryDelay,
                MaxRetryAttempts = settings.TokenRetries,
                OnRetry = args =>
                {
                    _logger.LogWarning("Token request failed (attempt {Attempt}), retrying in {Delay}: {Error}",
                        args.AttemptNumber + 1, args.RetryDelay, args.Outcome.Exception?.Message);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    /// <summary>Token requests made so far (renewals included); for tests and diagnostics.</summary>
    public int Requests => Volatile.Read(ref _requests);
    private int _requests;

    public async ValueTask<AccessToken> GetTokenAsync(CancellationToken ct)
    {
        var token = Volatile.Read(ref _current);
        if (token is not null && _time.GetUtcNow() < token.RenewAt)
        {
            return token;
        }
        await _renewing.WaitAsync(ct);
        try
        {
            // Someone else may have renewed while this caller waited: single flight.
            token = Volatile.Read(ref _current);
            if (token is not null && _time.GetUtcNow() < token.RenewAt)
            {
                return token;
            }
            token = await _retry.ExecuteAsync(RequestAsync, ct);
            Volatile.Write(ref _current, token);
            return token;
        }
        finally
        {
            _renewing.Release();
        }
    }

    public void Invalidate(AccessToken rejected)
    {
        // Only the rejected token: a newer one another caller already fetched stays.
        Interlocked.CompareExchange(ref _current, null, rejected);
    }

    private async ValueTask<AccessToken> RequestAsync(CancellationToken ct)
    {
        var settings = _options.Value;
        var endpoint = settings.TokenEndpoint!.ToString();
        Interlocked.Increment(ref _requests);
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(ct);
        attempt.CancelAfter(settings.CallTimeout);
        var requestedAt = _time.GetUtcNow();
        TokenResponse response;
        try
        {
            using var client = _http.CreateClient(HttpClientName);
            response = await client.RequestClientCredentialsTokenAsync(new ClientCredentialsTokenRequest
            {
                Address = endpoint,
                ClientId = settings.ClientId,
                ClientSecret = settings.ClientSecret,
                Scope = settings.Scopes,
            }, attempt.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new AuthorityTokenException($"The token endpoint {endpoint} did not answer within {settings.CallTimeout}.", transient: true);
        }
        if (!response.IsError && !string.IsNullOrEmpty(response.AccessToken))
        {
            var lifetime = TimeSpan.FromSeconds(response.ExpiresIn > 0 ? response.ExpiresIn : 60);
            // Timed from the request, not the answer: the token's clock started no later than that.
            var expires = requestedAt + lifetime;
            var token = new AccessToken(response.AccessToken, expires - RenewalMargin(lifetime), expires);
            _logger.LogInformation("Got an access token for client {ClientId} (scopes {Scopes}) valid for {Lifetime}",
                settings.ClientId, response.Scope ?? settings.Scopes, lifetime);
            return token;
        }
        throw Describe(response, endpoint, settings.ClientId);
    }

    /// <summary>How long before expiry a token is renewed: a third of its lifetime or 60 s, whichever is larger,
    /// but at most half of it (a token lives 10 minutes at most; tests run with seconds).</summary>
    public static TimeSpan RenewalMargin(TimeSpan lifetime)
    {
        var margin = TimeSpan.FromSeconds(Math.Max(lifetime.TotalSeconds / 3, 60));
        var half = lifetime / 2;
        return margin < half ? margin : half;
    }

    private static AuthorityTokenException Describe(TokenResponse response, string endpoint, string clientId)
    {
        var status = (int)response.HttpStatusCode;
        if (response.ErrorType == ResponseErrorType.Exception || status == 0)
        {
            return new AuthorityTokenException($"The token endpoint {endpoint} could not be reached: {response.Error}", transient: true, response.Exception);
        }
        var transient = status >= 500 || status == 429;
        // A 401 is an HTTP error to IdentityModel (Error is the reason phrase); the OAuth error is in the body.
        var oauthError = response.TryGet("error") ?? response.Error;
        var description = response.TryGet("error_description") ?? response.ErrorDescription;
        var error = string.IsNullOrEmpty(oauthError) ? $"HTTP {status}" : oauthError;
        var why = string.IsNullOrEmpty(description) ? "" : ": " + description;
        var hint = oauthError switch
        {
            "invalid_client" => $" Check Authority:ClientId ('{clientId}') and Authority:ClientSecret.",
            "invalid_scope" => " Check Authority:Scopes against the scopes of this client's kind.",
            "unauthorized_client" => " The client may have been disabled at the authority; ask its staff.",
            _ => "",
        };
        return new AuthorityTokenException($"The token endpoint {endpoint} refused client '{clientId}' ({error}{why}).{hint}", transient);
    }

    public void Dispose() => _renewing.Dispose();
}
