using Microsoft.Extensions.Options;
using Quartz;

namespace RegistryExchange.Authority.Audit;

public static class AuditExtensions
{
    /// <summary>
    /// The tamper-evident access log (docs/decisions/0007): the appender, the checkpoint keys under
    /// <c>Audit:KeyDirectory</c>, and the Quartz job that signs a checkpoint every <c>Audit:CheckpointInterval</c>.
    /// </summary>
    public static WebApplicationBuilder AddAuditLog(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<AuditOptions>()
            .Bind(builder.Configuration.GetSection("Audit"))
            .Validate(o => o.CheckpointInterval > TimeSpan.Zero && o.CheckpointInterval <= TimeSpan.FromMinutes(1),
                "Audit:CheckpointInterval must be more than zero and at most a minute.")
            .Validate(o => !string.IsNullOrWhiteSpace(o.KeyDirectory), "Audit:KeyDirectory must name a directory.")
            .ValidateOnStart();
        builder.Services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<AuditOptions>>().Value;
            return new AuditKeyRing(options.KeyDirectory, sp.GetRequiredService<TimeProvider>());
        });
        builder.Services.AddSingleton<AuditLog>();
        builder.Services.AddSingleton<AuditCheckpointWriter>();
        var interval = builder.Configuration.GetValue("Audit:CheckpointInterval", new AuditOptions().CheckpointInterval);
        builder.Services.AddQuartz(q => q.ScheduleJob<AuditCheckpointJob>(
            trigger => trigger.WithIdentity("audit-checkpoint-trigger", "audit")
                .StartNow()
                .WithSimpleSchedule(s => s.WithInterval(interval > TimeSpan.Zero ? interval : TimeSpan.FromSeconds(30)).RepeatForever()),
            job => job.WithIdentity(AuditCheckpointJob.Key)));
        return builder;
    }

    public static WebApplication MapAuditLog(this WebApplication app)
    {
        app.MapGrpcService<AuditService>();
        return app;
    }
}
