using Grpc.Core;
using Grpc.Net.Client;
using Spectre.Console;

namespace RegistryExchange.Cli;

/// <summary>What every command needs: where to write and how to reach a server. Tests pass their own.</summary>
public sealed class RxContext(IAnsiConsole console, Func<Uri, GrpcChannel> channels, bool interactive, TimeProvider time)
{
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);

    public IAnsiConsole Console { get; } = console;
    public bool Interactive { get; } = interactive;
    public TimeProvider Time { get; } = time;

    private readonly Dictionary<Uri, GrpcChannel> _open = [];

    public GrpcChannel Channel(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new UsageException($"'{url}' is not an http:// or https:// address.");
        }
        if (!_open.TryGetValue(uri, out var channel))
        {
            channel = channels(uri);
            _open[uri] = channel;
        }
        return channel;
    }

    public DateTime Deadline() => Time.GetUtcNow().UtcDateTime + CallTimeout;

    /// <summary>Headers for the authority: the development key as a bearer token.</summary>
    public static Metadata Bearer(string? key) => string.IsNullOrEmpty(key) ? [] : new Metadata { { "Authorization", "Bearer " + key } };

    public static GrpcChannel DefaultChannel(Uri uri) => GrpcChannel.ForAddress(uri, new GrpcChannelOptions
    {
        MaxReceiveMessageSize = 64 * 1024 * 1024,
    });
}

/// <summary>A mistake in how the tool was called; printed without a stack trace.</summary>
public sealed class UsageException(string message) : Exception(message);
