using System.ComponentModel.DataAnnotations;

namespace RegistryExchange.Agent.Hosting;

/// <summary><c>School:*</c>: who this agent is.</summary>
public sealed class SchoolOptions
{
    public const string Section = "School";

    [Required, RegularExpression("^[A-Za-z0-9._-]{1,64}$")]
    public string Code { get; set; } = "";
}

/// <summary><c>Authority:*</c>: where changes go and how the agent proves who it is.</summary>
public sealed class AuthorityOptions
{
    public const string Section = "Authority";

    [Required]
    public Uri? Url { get; set; } = new("http://127.0.0.1:5056");

    /// <summary>Development credential, sent as a bearer token until the identity issue brings OAuth tokens.</summary>
    public string ApiKey { get; set; } = "";

    /// <summary>Deadline of every unary call to the authority.</summary>
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(10);
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
