namespace RegistryExchange.Authority.Ingest;

/// <summary>
/// The in-process half of the global apply lock: one batch at a time in this process. The database half
/// (advisory lock / applock / SQLite's write lock) covers other instances.
/// </summary>
public sealed class ApplyLock : IDisposable
{
    private readonly SemaphoreSlim _semaphore = new(1, 1);

    public async Task<Releaser> EnterAsync(CancellationToken ct)
    {
        await _semaphore.WaitAsync(ct);
        return new Releaser(_semaphore);
    }

    public void Dispose() => _semaphore.Dispose();

    public readonly struct Releaser(SemaphoreSlim semaphore) : IDisposable
    {
        public void Dispose() => semaphore.Release();
    }
}
