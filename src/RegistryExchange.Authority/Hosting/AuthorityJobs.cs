using Quartz;
using RegistryExchange.Authority.Identity;

namespace RegistryExchange.Authority.Hosting;

public static class AuthorityJobs
{
    /// <summary>
    /// Quartz (in-memory store) and the identity maintenance job every <c>Identity:MaintenanceInterval</c>. Other
    /// parts add their jobs with their own <c>services.AddQuartz(q => ...)</c> call: the calls compose.
    /// </summary>
    public static WebApplicationBuilder AddAuthorityJobs(this WebApplicationBuilder builder)
    {
        var interval = builder.Configuration.GetValue("Identity:MaintenanceInterval", TimeSpan.FromMinutes(1));
        builder.Services.AddQuartz(q =>
        {
            q.AddJob<IdentityMaintenanceJob>(j => j.WithIdentity(IdentityMaintenanceJob.Key).StoreDurably());
            q.AddTrigger(t => t.ForJob(IdentityMaintenanceJob.Key).WithIdentity("identity-maintenance", "identity")
                .StartNow().WithSimpleSchedule(s => s.WithInterval(interval).RepeatForever()));
        });
        builder.Services.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);
        return builder;
    }
}
