using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using RegistryExchange.Authority.Duplicates;
using RegistryExchange.Authority.Feed;
using RegistryExchange.Authority.Identity;
using RegistryExchange.Authority.Sync;
using RegistryExchange.Storage.Ingest;

namespace RegistryExchange.Authority.Hosting;

public static class AuthorityGrpcExtensions
{
    private const int DefaultMaxReceiveMessageBytes = 16 * 1024 * 1024;
    private const int DefaultMaxSendMessageBytes = 16 * 1024 * 1024;

    /// <summary>
    /// gRPC with <c>Grpc:MaxReceiveMessageBytes</c> and <c>Grpc:MaxSendMessageBytes</c> (16 MiB each by default),
    /// detailed errors only in Development, the grpc.health.v1 service (open to probes), and server reflection when
    /// <c>Grpc:EnableReflection</c> (default: only in Development). Every other service needs a token.
    /// </summary>
    public static WebApplicationBuilder AddAuthorityGrpc(this WebApplicationBuilder builder)
    {
        var maxReceive = builder.Configuration.GetValue<int?>("Grpc:MaxReceiveMessageBytes") ?? DefaultMaxReceiveMessageBytes;
        // Responses are bounded too (the default is unlimited): a page of the feed or an audit query stays well below.
        var maxSend = builder.Configuration.GetValue<int?>("Grpc:MaxSendMessageBytes") ?? DefaultMaxSendMessageBytes;
        builder.Services.AddGrpc(o =>
        {
            o.MaxReceiveMessageSize = maxReceive;
            o.MaxSendMessageSize = maxSend;
            o.EnableDetailedErrors = builder.Environment.IsDevelopment();
        });
        builder.Services.AddGrpcHealthChecks().AddCheck<RegistryStoreHealthCheck>("registry-store");
        if (ReflectionEnabled(builder))
        {
            builder.Services.AddGrpcReflection();
        }
        builder.Services.Configure<SyncOptions>(builder.Configuration.GetSection("Sync"));
        builder.Services.Configure<FeedOptions>(builder.Configuration.GetSection("Feed"));
        return builder;
    }

    public static WebApplication MapAuthorityGrpc(this WebApplication app)
    {
        app.MapGrpcService<SyncService>();
        app.MapGrpcService<ChangeFeedService>();
        app.MapGrpcService<DuplicateCaseService>();
        app.MapGrpcService<ClientAdminService>();
        app.MapGrpcHealthChecksService().AllowAnonymous();
        if (app.Configuration.GetValue("Grpc:EnableReflection", app.Environment.IsDevelopment()))
        {
            app.MapGrpcReflectionService().AllowAnonymous();
        }
        return app;
    }

    /// <summary>One line when the server is up: where it listens and on what. Never personal data.</summary>
    public static WebApplication LogEndpointsOnStart(this WebApplication app)
    {
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            var provider = app.Services.GetRequiredService<IngestDialect>().Provider;
            app.Logger.LogInformation("RegistryExchange authority serving gRPC on {Endpoints} (storage {Provider}, ingest {Mode})",
                addresses.Count > 0 ? string.Join(", ", addresses) : "(in-process)", provider,
                app.Configuration.GetValue("Ingest:Mode", "Bulk"));
        });
        return app;
    }

    private static bool ReflectionEnabled(WebApplicationBuilder builder) =>
        builder.Configuration.GetValue("Grpc:EnableReflection", builder.Environment.IsDevelopment());
}
