using Duende.IdentityModel.Client;
using Grpc.Core;
using Grpc.Net.Client;
using Spectre.Console;

namespace RegistryExchange.Cli;

/// <summary>What every command needs: where to write, how to reach a server and how to get a token. Tests pass their own.</summary>
public sealed class RxContext(IAnsiConsole console, Func<Uri, GrpcChannel> channels, bool interactive, TimeProvider time,
    HttpMessageHandler? tokenHandler = null)
{
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);

    /// <summary>How long <c>--follow</c> streams may stay open before the tool ends them.</summary>
    public static readonly TimeSpan MaxFollow = TimeSpan.FromHours(8);

    public IAnsiConsole Console { get; } = console;
    public bool Interactive { get; } = interactive;
    public TimeProvider Time { get; } = time;

    private readonly Dictionary<Uri, GrpcChannel> _open = [];
    private readonly Dictionary<(string Endpoint, string ClientId), string> _tokens = [];

    public GrpcChannel Channel(string url)
    {
        var uri = HttpUri(url, "address");
        if (!_open.TryGetValue(uri, out var channel))
        {
            channel = channels(uri);
            _open[uri] = channel;
        }
        return channel;
    }

    public DateTime Deadline() => Time.GetUtcNow().UtcDateTime + CallTimeout;

    /// <summary>An access token by client credentials (one per run and client), as <c>Authorization</c> metadata.</summary>
    public async Task<Metadata> BearerAsync(ClientCredentials credentials, CancellationToken ct)
    {
        if (credentials.ClientId.Length == 0 || credentials.ClientSecret.Length == 0)
        {
            throw new UsageException("Commands need client credentials: --client-id and --client-secret, or RX_CLIENT_ID and RX_CLIENT_SECRET (for --agent commands, a client of that agent's school).");
        }
        var endpoint = HttpUri(credentials.TokenEndpoint, "token endpoint").ToString();
        if (!_tokens.TryGetValue((endpoint, credentials.ClientId), out var token))
        {
            token = await RequestTokenAsync(endpoint, credentials, ct);
            _tokens[(endpoint, credentials.ClientId)] = token;
        }
        return new Metadata { { "Authorization", "Bearer " + token } };
    }

    private async Task<string> RequestTokenAsync(string endpoint, ClientCredentials credentials, CancellationToken ct)
    {
        using var http = tokenHandler is null ? new HttpClient() : new HttpClient(tokenHandler, disposeHandler: false);
        http.Timeout = CallTimeout;
        var response = await http.RequestClientCredentialsTokenAsync(new ClientCredentialsTokenRequest
        {
            Address = endpoint,
            ClientId = credentials.ClientId,
            ClientSecret = credentials.ClientSecret,
            // Empty: the authority grants every scope of the client's kind.
            Scope = credentials.Scopes,
        }, ct);
        if (!response.IsError && !string.IsNullOrEmpty(response.AccessToken))
        {
            return response.AccessToken;
        }
        if (response.ErrorType == ResponseErrorType.Exception)
        {
            throw new TokenException($"the token endpoint {endpoint} could not be reached: {response.Error}");
        }
        // A 401 is an HTTP error to IdentityModel (Error is the reason phrase); the OAuth error is in the body.
        var error = response.TryGet("error") ?? response.Error ?? "HTTP " + (int)response.HttpStatusCode;
        var description = response.TryGet("error_description") ?? response.ErrorDescription;
        var why = string.IsNullOrEmpty(description) ? "" : ": " + description;
        var hint = error switch
        {
            "invalid_client" => " Check the client id and secret (a rotated secret replaces the old one at once).",
            "unauthorized_client" => " The client may have been disabled.",
            _ => "",
        };
        throw new TokenException($"the token endpoint {endpoint} refused client '{credentials.ClientId}' ({error}{why}).{hint}");
    }

    private static Uri HttpUri(string url, string what) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : throw new UsageException($"'{url}' is not an http:// or https:// {what}.");

    public static GrpcChannel DefaultChannel(Uri uri) => GrpcChannel.ForAddress(uri, new GrpcChannelOptions
    {
        // Both match the agent's local API limits: import chunks go up, pages of records come back.
        MaxReceiveMessageSize = 64 * 1024 * 1024,
        MaxSendMessageSize = 64 * 1024 * 1024,
    });
}

/// <summary>Who the tool is at the authority. The secret is never printed or logged.</summary>
public sealed record ClientCredentials(string ClientId, string ClientSecret, string TokenEndpoint, string? Scopes = null)
{
    public override string ToString() => $"client {ClientId} at {TokenEndpoint}";
}

/// <summary>A mistake in how the tool was called; printed without a stack trace.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>No token could be had; printed without a stack trace.</summary>
public sealed class TokenException(string message) : Exception(message);
