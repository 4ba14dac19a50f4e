namespace RegistryExchange.Authority.Feed;

/// <summary><c>Feed</c> configuration.</summary>
public sealed class FeedOptions
{
    public int DefaultPageSize { get; set; } = 500;
    public int MaxPageSize { get; set; } = 5000;
    /// <summary>How often a following subscriber looks for commits made by other instances.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);
}
