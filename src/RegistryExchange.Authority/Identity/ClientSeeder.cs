using Microsoft.Extensions.Options;

namespace RegistryExchange.Authority.Identity;

/// <summary>
/// At start-up, after the store is migrated: loads (or creates) the signing keys and creates the clients of
/// <c>Identity:SeedClients</c>, applying their configured secrets. Secrets are never logged.
/// </summary>
internal sealed class ClientSeeder(
    IServiceScopeFactory scopes,
    SigningKeyRing ring,
    IdentityOptionsRefresher refresher,
    IOptions<IdentityOptions> options,
    ILogger<ClientSeeder> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _ = refresher; // subscribes to ring changes before the first refresh
        var state = ring.State;
        logger.LogInformation("Signing keys in {Directory}: {Signing} signs, {Count} published", ring.Directory, state.Signing.KeyId, state.Published.Count);
        var seeds = options.Value.SeedClients;
        if (seeds.Count == 0)
        {
            return;
        }
        await using var scope = scopes.CreateAsyncScope();
        var registry = scope.ServiceProvider.GetRequiredService<ClientRegistry>();
        var created = 0;
        foreach (var seed in seeds)
        {
            if (await registry.EnsureSeededAsync(seed, cancellationToken))
            {
                created++;
            }
        }
        logger.LogInformation("Seed clients: {Created} created, {Updated} brought up to date", created, seeds.Count - created);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
