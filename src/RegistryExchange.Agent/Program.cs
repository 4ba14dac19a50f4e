using RegistryExchange.Agent.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.Logging.AddAgentLogDefaults();
builder.WebHost.UseHttp2EndpointDefaults();
builder.Services
    .AddSchoolRegister(builder.Configuration)
    .AddPushToAuthority(builder.Configuration)
    .AddLocalApi(builder.Configuration);

var app = builder.Build();
app.MapLocalApi();
app.Run();

public partial class Program;
