using System.ComponentModel.DataAnnotations;

namespace RegistryExchange.Agent.Hosting;

/// <summary><c>School:*</c>: who this agent is.</summary>
public sealed class SchoolOptions
{
    public const string Section = "School";

    [Required, RegularExpression("^[A-Za-z0-9._-]{1,64}$")]
    public string Code { get; set; } = "";
}

/// <summary><c>Authority:*</c>: where changes go and how the agent proves who it is (OAuth 2.0 client credentials).</summary>
public sealed class AuthorityOptions : IValidatableObject
{
    public const string Section = "Authority";

    /// <summary>The authority's gRPC endpoint.</summary>
    [Required]
    public Uri? Url { get; set; } = new("http://127.0.0.1:5056");

    /// <summary>The authority's OAuth 2.0 token endpoint, e.g. <c>http://127.0.0.1:5055/connect/token</c>.</summary>
    [Required]
    public Uri? TokenEndpoint { get; set; } = new("http://127.0.0.1:5055/connect/token");

    /// <summary>The token server's issuer, whose tokens the local API accepts (its discovery document and JWKS are read
    /// from here). Default: <see cref="TokenEndpoint"/> without <c>connect/token</c>.</summary>
    public Uri? Issuer { get; set; }

    /// <summary>Clock difference allowed when the local API checks a token's lifetime.</summary>
    public TimeSpan ClockSkew { get; set; } = LocalApiSecurity.DefaultClockSkew;

    /// <summary>This agent's client id at the authority (issued with its school's registration).</summary>
    public string ClientId { get; set; } = "";

    /// <summary>The client secret. Keep it out of files others can read; never logged.</summary>
    public string ClientSecret { get; set; } = "";

    /// <summary>Space-separated scopes to ask for.</summary>
    [Required]
    public string Scopes { get; set; } = "sync";

    /// <summary>Deadline of every unary call to the authority and of each token request.</summary>
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A push stream stops sending after this even if its token would allow longer, then drains and
    /// reconnects; its gRPC deadline is this plus <see cref="CallTimeout"/>.</summary>
    public TimeSpan MaxStreamLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Retries of a token request that failed transiently (network, 5xx, 429), before the caller sees it.</summary>
    [Range(0, 10)]
    public int TokenRetries { get; set; } = 3;

    /// <summary>First retry delay of a token request; exponential with jitter after that.</summary>
    public TimeSpan TokenRetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Largest message the agent sends to the authority; a batch is cut well below it (<see cref="PushOptions.MaxBatchBytes"/>).</summary>
    [Range(1024 * 1024, 256 * 1024 * 1024)]
    public int MaxSendMessageBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Largest message the agent accepts from the authority (batch results are small).</summary>
    [Range(64 * 1024, 256 * 1024 * 1024)]
    public int MaxReceiveMessageBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary><see cref="Issuer"/>, or the token endpoint's base (<c>https://id.example/connect/token</c> gives <c>https://id.example/</c>).</summary>
    public Uri EffectiveIssuer()
    {
        if (Issuer is not null)
        {
            return Issuer.AbsoluteUri.EndsWith('/') ? Issuer : new Uri(Issuer.AbsoluteUri + "/");
        }
        var endpoint = (TokenEndpoint ?? throw new InvalidOperationException("Authority:TokenEndpoint or Authority:Issuer is required.")).AbsoluteUri;
        const string path = "connect/token";
        return new Uri(endpoint.EndsWith(path, StringComparison.Ordinal) ? endpoint[..^path.Length] : new Uri(TokenEndpoint, "/").AbsoluteUri);
    }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (ClockSkew < TimeSpan.Zero || ClockSkew > TimeSpan.FromMinutes(5))
        {
            yield return new ValidationResult("Authority:ClockSkew must be between 0 and 5 minutes.", [nameof(ClockSkew)]);
        }
        if (Issuer is not null && !Issuer.IsAbsoluteUri)
        {
            yield return new ValidationResult("Authority:Issuer must be an absolute URL.", [nameof(Issuer)]);
        }
        if (CallTimeout <= TimeSpan.Zero || MaxStreamLifetime <= TimeSpan.Zero)
        {
            yield return new ValidationResult("Authority:CallTimeout and Authority:MaxStreamLifetime must be positive.", [nameof(CallTimeout), nameof(MaxStreamLifetime)]);
        }
    }
}

/// <summary><c>Push:*</c>: the push worker.</summary>
public sealed class PushOptions
{
    public const string Section = "Push";

    public bool Enabled { get; set; } = true;

    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 1000;

    /// <summary>Keeps batches well below the authority's receive limit (4 MB by default).</summary>
    [Range(64 * 1024, 64 * 1024 * 1024)]
    public int MaxBatchBytes { get; set; } = 3 * 1024 * 1024;

    [Range(1, 64)]
    public int MaxInFlightBatches { get; set; } = 4;

    /// <summary>How often an idle worker looks at the outbox without being woken by a local commit.</summary>
    public TimeSpan IdlePoll { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>An idle stream is closed after this; the next local commit opens a new one. Keeps idle schools from
    /// holding connections (and the authority's graceful shutdown) open.</summary>
    public TimeSpan IdleStreamTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan FirstBackoff { get; set; } = TimeSpan.FromMilliseconds(200);
}
