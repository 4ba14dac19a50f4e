using RegistryExchange.Authority.Audit;
using RegistryExchange.Authority.Hosting;
using RegistryExchange.Authority.Identity;
using RegistryExchange.Authority.Ingest;
using RegistryExchange.Authority.Security;
using RegistryExchange.Authority.Storage;

// Settings files sit beside the binary, wherever it is started from.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddRegistryStore();
builder.AddIngest();
builder.AddAuthorityIdentity();
builder.AddAuthoritySecurity();
builder.AddAuthorityGrpc();
builder.AddAuditLog();
builder.AddAuthorityJobs();

var app = builder.Build();
app.UseAuthentication();
app.UseAuthorization();
app.MapAuthorityGrpc();
app.MapAuditLog();
app.LogEndpointsOnStart();
app.Run();

/// <summary>Visible to the integration tests' WebApplicationFactory.</summary>
public partial class Program;
