using System.Net;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using RegistryExchange.Agent.Hosting;
using RegistryExchange.Agent.Sync;
using RegistryExchange.Agent.Tests.Support;

namespace RegistryExchange.Agent.Tests;

/// <summary>The agent's token cache against a scripted token endpoint, on a fake clock.</summary>
public sealed class TokenSourceTests : IDisposable
{
    private const string Secret = "the-agent-secret-never-logged";
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 3, 8, 0, 0, TimeSpan.Zero));
    private readonly ScriptedTokenEndpoint _endpoint = new();
    private readonly LogSink _log = new();
    private readonly ClientCredentialsTokenSource _tokens;

    public TokenSourceTests()
    {
        var options = Options.Create(new AuthorityOptions
        {
            TokenEndpoint = new Uri("http://authority.test/connect/token"),
            ClientId = "agent-a",
            ClientSecret = Secret,
            TokenRetryDelay = TimeSpan.Zero,
        });
        using var factory = LoggerFactory.Create(l => l.AddProvider(_log).SetMinimumLevel(LogLevel.Trace));
        _tokens = new ClientCredentialsTokenSource(new HandlerFactory(_endpoint), options, _time, factory.CreateLogger<ClientCredentialsTokenSource>());
    }

    public void Dispose()
    {
        _tokens.Dispose();
        _endpoint.Dispose();
    }

    [Fact]
    public async Task Concurrent_callers_share_one_request_and_the_token_is_reused_until_a_third_of_its_lifetime_is_left()
    {
        _endpoint.Hold = new TaskCompletionSource();
        var callers = Enumerable.Range(0, 20).Select(_ => _tokens.GetTokenAsync(CancellationToken.None).AsTask()).ToList();
        await Eventually.WaitForAsync(() => Task.FromResult(_endpoint.Requests), n => n >= 1, TimeSpan.FromSeconds(10), "the first request");
        _endpoint.Hold.SetResult();
        var first = await Task.WhenAll(callers);

        Assert.Equal(1, _endpoint.Requests);
        Assert.All(first, t => Assert.Same(first[0], t));
        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromMinutes(10), first[0].ExpiresAt);

        _time.Advance(TimeSpan.FromSeconds(399));
        Assert.Same(first[0], await _tokens.GetTokenAsync(CancellationToken.None));
        Assert.Equal(1, _endpoint.Requests);

        _time.Advance(TimeSpan.FromSeconds(2));
        var renewed = await _tokens.GetTokenAsync(CancellationToken.None);
        Assert.Equal(2, _endpoint.Requests);
        Assert.NotEqual(first[0].Value, renewed.Value);
    }

    [Theory]
    [InlineData(600, 200)]  // a third
    [InlineData(120, 60)]   // 60 s
    [InlineData(5, 2.5)]    // never more than half: short test lifetimes still get used
    public void A_token_is_renewed_a_third_of_its_lifetime_or_60_seconds_before_it_expires_but_at_most_half_way(double lifetime, double margin) =>
        Assert.Equal(TimeSpan.FromSeconds(margin), ClientCredentialsTokenSource.RenewalMargin(TimeSpan.FromSeconds(lifetime)));

    [Fact]
    public async Task Transient_endpoint_failures_are_retried_before_the_caller_sees_them()
    {
        _endpoint.Failures.Enqueue(HttpStatusCode.ServiceUnavailable);
        _endpoint.Failures.Enqueue(HttpStatusCode.BadGateway);

        var token = await _tokens.GetTokenAsync(CancellationToken.None);

        Assert.StartsWith("token-", token.Value, StringComparison.Ordinal);
        Assert.Equal(3, _endpoint.Requests);
    }

    [Fact]
    public async Task A_refused_secret_fails_at_once_with_the_endpoints_words_and_the_secret_is_never_in_a_message_or_log()
    {
        _endpoint.Failures.Enqueue(HttpStatusCode.Unauthorized);

        var e = await Assert.ThrowsAsync<AuthorityTokenException>(() => _tokens.GetTokenAsync(CancellationToken.None).AsTask());

        Assert.False(e.Transient);
        Assert.Equal(1, _endpoint.Requests);
        Assert.Contains("invalid_client", e.Message, StringComparison.Ordinal);
        Assert.Contains("agent-a", e.Message, StringComparison.Ordinal);
        Assert.Contains("Authority:ClientSecret", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, e.Message, StringComparison.Ordinal);
        await _tokens.GetTokenAsync(CancellationToken.None);
        Assert.All(_log.All, line => Assert.DoesNotContain(Secret, line, StringComparison.Ordinal));
        Assert.All(_log.All, line => Assert.DoesNotContain("token-", line, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_token_the_authority_refused_is_replaced_but_a_newer_one_is_kept()
    {
        var refused = await _tokens.GetTokenAsync(CancellationToken.None);
        _tokens.Invalidate(refused);
        var replacement = await _tokens.GetTokenAsync(CancellationToken.None);
        Assert.NotEqual(refused.Value, replacement.Value);

        _tokens.Invalidate(refused); // a late report about the old token
        Assert.Same(replacement, await _tokens.GetTokenAsync(CancellationToken.None));
        Assert.Equal(2, _endpoint.Requests);
    }

    private sealed class HandlerFactory(HttpMessageHandler handler) : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new(handler, disposeHandler: false);
    }

    /// <summary>Answers client credentials requests with numbered tokens of 600 s, or the queued failures first.</summary>
    private sealed class ScriptedTokenEndpoint : HttpMessageHandler
    {
        private int _requests;
        public int Requests => Volatile.Read(ref _requests);
        public TaskCompletionSource? Hold { get; set; }
        public System.Collections.Concurrent.ConcurrentQueue<HttpStatusCode> Failures { get; } = new();

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var n = Interlocked.Increment(ref _requests);
            Assert.Equal("Basic", request.Headers.Authorization?.Scheme);
            Assert.Contains("grant_type=client_credentials", await request.Content!.ReadAsStringAsync(cancellationToken), StringComparison.Ordinal);
            if (Hold is { } hold)
            {
                await hold.Task.WaitAsync(cancellationToken);
            }
            if (Failures.TryDequeue(out var status))
            {
                var error = status == HttpStatusCode.Unauthorized
                    ? """{"error":"invalid_client","error_description":"The specified client credentials are invalid."}"""
                    : """{"error":"server_error"}""";
                return new HttpResponseMessage(status) { Content = new StringContent(error, Encoding.UTF8, "application/json") };
            }
            var body = $$"""{"access_token":"token-{{n}}","token_type":"Bearer","expires_in":600}""";
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        }
    }
}
