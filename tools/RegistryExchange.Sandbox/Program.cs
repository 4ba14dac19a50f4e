using System.CommandLine;
using RegistryExchange.Sandbox;

var students = new Option<int>("--students") { Description = "Generated students per school", DefaultValueFactory = _ => 200 };
var schools = new Option<int>("--schools") { Description = "Number of school agents (1-4)", DefaultValueFactory = _ => 2 };
var directory = new Option<string>("--dir") { Description = "Where databases and logs go (wiped at start)", DefaultValueFactory = _ => Path.Combine(".rx", "sandbox") };
var authorityPort = new Option<int>("--authority-port") { Description = "gRPC port of the authority (0: any free port)", DefaultValueFactory = _ => 5056 };
var webPort = new Option<int>("--authority-web-port") { Description = "HTTP port of the authority's token endpoint (0: any free port)", DefaultValueFactory = _ => 5055 };
var agentPort = new Option<int>("--first-agent-port") { Description = "gRPC port of the first agent; the others follow (0: any free ports)", DefaultValueFactory = _ => 5061 };
var once = new Option<bool>("--exit-when-ready") { Description = "Stop everything once the sample data is synchronised (for scripts and tests)" };

var root = new RootCommand("RegistryExchange sandbox: an authority and school agents on embedded SQLite with sample students.")
{
    students, schools, directory, authorityPort, webPort, agentPort, once,
};
root.SetAction((parse, cancellation) => new SandboxRun(new SandboxOptions(
    parse.GetValue(students),
    Math.Clamp(parse.GetValue(schools), 1, 4),
    Path.GetFullPath(parse.GetValue(directory)!),
    parse.GetValue(authorityPort),
    parse.GetValue(webPort),
    parse.GetValue(agentPort),
    parse.GetValue(once))).RunAsync(cancellation));
return await root.Parse(args).InvokeAsync();
