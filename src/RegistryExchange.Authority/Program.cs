using RegistryExchange.Authority.Hosting;
using RegistryExchange.Authority.Ingest;
using RegistryExchange.Authority.Security;
using RegistryExchange.Authority.Storage;

var builder = WebApplication.CreateBuilder(args);
builder.AddRegistryStore();
builder.AddIngest();
builder.AddAuthoritySecurity();
builder.AddAuthorityGrpc();

var app = builder.Build();
app.UseAuthentication();
app.UseAuthorization();
app.MapAuthorityGrpc();
app.LogEndpointsOnStart();
app.Run();

/// <summary>Visible to the integration tests' WebApplicationFactory.</summary>
public partial class Program;
