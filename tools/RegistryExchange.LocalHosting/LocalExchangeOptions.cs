namespace RegistryExchange.LocalHosting;

public sealed record LocalExchangeOptions
{
    public string Name { get; init; } = "exchange";
    /// <summary>Where databases and logs go; a new temporary folder when null.</summary>
    public string? WorkDirectory { get; init; }
    public int SchoolCount { get; init; } = 2;
    /// <summary>0 picks a free port.</summary>
    public int AuthorityPort { get; init; }
    /// <summary>The authority's HTTP/1.1 endpoint (token endpoint, discovery, JWKS); 0 picks a free port.</summary>
    public int AuthorityWebPort { get; init; }
    /// <summary>0 picks free ports; otherwise agents listen on consecutive ports from here.</summary>
    public int FirstAgentPort { get; init; }
    public IReadOnlyDictionary<string, string> AuthoritySettings { get; init; } = new Dictionary<string, string>();
    public IReadOnlyDictionary<string, string> AgentSettings { get; init; } = new Dictionary<string, string>();
}
