using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace RegistryExchange.Agent.Tests.Support;

/// <summary>Keeps every log line at warning and above (and every line mentioning a secret, at any level).</summary>
public sealed class LogSink : ILoggerProvider
{
    private readonly ConcurrentQueue<(LogLevel Level, string Category, string Message)> _lines = new();

    public IReadOnlyList<(LogLevel Level, string Category, string Message)> Lines => [.. _lines];

    /// <summary>Every line at any level, for checks that a secret never appears.</summary>
    public IReadOnlyList<string> All => [.. _all];
    private readonly ConcurrentQueue<string> _all = new();

    public IEnumerable<string> Warnings(string category) =>
        Lines.Where(l => l.Level >= LogLevel.Warning && l.Category.EndsWith(category, StringComparison.Ordinal)).Select(l => l.Message);

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogSink sink, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var message = formatter(state, exception) + (exception is null ? "" : " " + exception);
            sink._all.Enqueue(message);
            if (logLevel >= LogLevel.Warning)
            {
                sink._lines.Enqueue((logLevel, category, message));
            }
        }
    }
}
