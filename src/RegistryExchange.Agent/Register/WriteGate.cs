namespace RegistryExchange.Agent.Register;

/// <summary>
/// Serialises this process's writers. SQLite has one writer at a time anyway (BEGIN IMMEDIATE); queueing here
/// instead of spinning on SQLITE_BUSY keeps concurrent local writes and the push worker fair and fast.
/// </summary>
public sealed class WriteGate : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async Task<IDisposable> EnterAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        return new Releaser(_gate);
    }

    public void Dispose() => _gate.Dispose();

    private sealed class Releaser(SemaphoreSlim gate) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                gate.Release();
            }
        }
    }
}
