using System.Diagnostics;

namespace RegistryExchange.Agent.Tests.Support;

/// <summary>Polls a condition with a bounded timeout instead of sleeping for a guessed time.</summary>
public static class Eventually
{
    public static async Task<T> WaitForAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        var last = await probe();
        while (!done(last))
        {
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"Waited {timeout.TotalSeconds:F0} s for {what}; last seen: {last}");
            }
            await Task.Delay(50);
            last = await probe();
        }
        return last;
    }
}
