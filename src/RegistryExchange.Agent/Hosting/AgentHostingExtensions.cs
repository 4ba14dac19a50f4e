using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using RegistryExchange.Agent.Api;
using RegistryExchange.Agent.Register;
using RegistryExchange.Agent.Storage;
using RegistryExchange.Agent.Sync;
using W = RegistryExchange.Contracts.V1;

namespace RegistryExchange.Agent.Hosting;

public static class AgentHostingExtensions
{
    /// <summary>The school's register: SQLite via EF Core, migrated at start-up, and the write path with its outbox.</summary>
    public static IServiceCollection AddSchoolRegister(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SchoolOptions>().Bind(configuration.GetSection(SchoolOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        var connectionString = configuration.GetConnectionString("Register") ?? "Data Source=school.db";
        services.AddDbContext<AgentDbContext>(o => o.UseSqlite(connectionString, s => s.MigrationsHistoryTable("__ef_migrations_history")));
        // Registered first: hosted services start in order, so nothing reads the register before it is migrated.
        services.AddHostedService<DatabaseMigrator>();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<WriteGate>();
        services.AddSingleton<OutboxSignal>();
        services.AddScoped<SchoolRegister>();
        services.AddScoped<RegisterQueries>();
        return services;
    }

    /// <summary>The push worker and its authority client: OAuth client-credentials tokens (<see cref="IAuthorityTokenSource"/>),
    /// deadlines on every call, message limits set on purpose.</summary>
    public static IServiceCollection AddPushToAuthority(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AuthorityOptions>().Bind(configuration.GetSection(AuthorityOptions.Section)).ValidateDataAnnotations()
            .Validate<IOptions<PushOptions>>((authority, push) => !push.Value.Enabled || (authority.ClientId.Length > 0 && authority.ClientSecret.Length > 0),
                "Authority:ClientId and Authority:ClientSecret are required to push: the agent's credentials from its school's registration (rx clients register-school).")
            .Validate<IOptions<PushOptions>>((authority, push) => push.Value.MaxBatchBytes + 64 * 1024 <= authority.MaxSendMessageBytes,
                "Push:MaxBatchBytes must stay at least 64 KiB below Authority:MaxSendMessageBytes.")
            .ValidateOnStart();
        services.AddOptions<PushOptions>().Bind(configuration.GetSection(PushOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddHttpClient(ClientCredentialsTokenSource.HttpClientName);
        services.AddSingleton<ClientCredentialsTokenSource>();
        services.AddSingleton<IAuthorityTokenSource>(sp => sp.GetRequiredService<ClientCredentialsTokenSource>());
        services.AddGrpcClient<W.SyncService.SyncServiceClient>((sp, o) =>
                o.Address = sp.GetRequiredService<IOptions<AuthorityOptions>>().Value.Url)
            .ConfigureChannel((sp, o) =>
            {
                var authority = sp.GetRequiredService<IOptions<AuthorityOptions>>().Value;
                // Development runs over cleartext HTTP/2; the token still has to travel.
                o.UnsafeUseInsecureChannelCallCredentials = true;
                o.MaxSendMessageSize = authority.MaxSendMessageBytes;
                o.MaxReceiveMessageSize = authority.MaxReceiveMessageBytes;
                // The channel's own reconnect backoff (up to 120 s by default) must not outlast the worker's cap.
                var push = sp.GetRequiredService<IOptions<PushOptions>>().Value;
                o.InitialReconnectBackoff = push.FirstBackoff;
                o.MaxReconnectBackoff = push.MaxBackoff;
            })
            .AddCallCredentials(async (context, metadata, sp) =>
            {
                var token = await sp.GetRequiredService<IAuthorityTokenSource>().GetTokenAsync(context.CancellationToken);
                metadata.Add("Authorization", "Bearer " + token.Value);
            })
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                // Notice a dead authority on an idle or long stream instead of waiting on it forever.
                KeepAlivePingDelay = TimeSpan.FromSeconds(20),
                KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
                KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
                ConnectTimeout = TimeSpan.FromSeconds(5),
                EnableMultipleHttp2Connections = true,
            });
        services.AddSingleton<OutboxReader>();
        services.AddSingleton<PushResults>();
        services.AddHostedService<PushWorker>();
        return services;
    }

    /// <summary>The local gRPC API, health checks and (if <c>Grpc:EnableReflection</c>) reflection.</summary>
    public static IServiceCollection AddLocalApi(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddGrpc(o =>
        {
            o.Interceptors.Add<DomainErrorInterceptor>();
            // Imports arrive in chunks of up to MaxImportRows rows; leave room for rich records.
            o.MaxReceiveMessageSize = configuration.GetValue("Grpc:MaxReceiveMessageSizeMb", 64) * 1024 * 1024;
            // Answers are pages and single records; a full page of rich records stays far below this.
            o.MaxSendMessageSize = configuration.GetValue("Grpc:MaxSendMessageSizeMb", 64) * 1024 * 1024;
        });
        services.AddLocalApiSecurity();
        services.AddGrpcHealthChecks().AddCheck<RegisterHealthCheck>("register");
        if (configuration.GetValue("Grpc:EnableReflection", true))
        {
            services.AddGrpcReflection();
        }
        return services;
    }

    /// <summary>gRPC over cleartext needs HTTP/2 only: the default for any endpoint (Kestrel:Endpoints:*:Protocols overrides).</summary>
    public static IWebHostBuilder UseHttp2EndpointDefaults(this IWebHostBuilder webHost) =>
        webHost.ConfigureKestrel(o => o.ConfigureEndpointDefaults(l => l.Protocols = Microsoft.AspNetCore.Server.Kestrel.Core.HttpProtocols.Http2));

    /// <summary>Quiet defaults for noisy framework categories; configuration (Logging:LogLevel) still overrides them.</summary>
    public static ILoggingBuilder AddAgentLogDefaults(this ILoggingBuilder logging) =>
        logging.AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Warning)
            .AddFilter("Grpc.Net.Client", LogLevel.Warning)
            .AddFilter("System.Net.Http.HttpClient", LogLevel.Warning)
            .AddFilter("Microsoft.AspNetCore", LogLevel.Warning);

    public static WebApplication MapLocalApi(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGrpcService<SchoolRegisterGrpcService>().RequireAuthorization(LocalApiSecurity.ThisSchool);
        // Health is for load balancers and monitors; reflection only describes the public contract.
        app.MapGrpcHealthChecksService().AllowAnonymous();
        if (app.Configuration.GetValue("Grpc:EnableReflection", true))
        {
            app.MapGrpcReflectionService().AllowAnonymous();
        }
        return app;
    }
}
