using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace RegistryExchange.LocalHosting;

/// <summary>A host (authority or agent) started as a real process with `dotnet exec`, as an operator would.</summary>
public sealed class HostProcess : IAsyncDisposable
{
    private readonly string _dll;
    private readonly IReadOnlyDictionary<string, string> _settings;
    private readonly string _logPath;
    private readonly string _environment;
    private Process? _process;

    /// <param name="environment">ASPNETCORE_ENVIRONMENT. "Local" keeps a host's development settings (demo schools)
    /// out; the authority needs "Development" to serve its token endpoint over plain HTTP on loopback.</param>
    public HostProcess(string name, string dll, int port, IReadOnlyDictionary<string, string> settings, string logDirectory, string environment = "Local")
    {
        Name = name;
        _dll = dll;
        Port = port;
        _settings = settings;
        _environment = environment;
        _logPath = Path.Combine(logDirectory, name + ".log");
    }

    public string Name { get; }
    public int Port { get; }
    public Uri Address => new($"http://127.0.0.1:{Port}");
    public int Starts { get; private set; }
    public bool IsRunning => _process is { HasExited: false };

    public async Task StartAsync(TimeSpan? timeout = null)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(_dll)!,
        };
        info.ArgumentList.Add("exec");
        info.ArgumentList.Add(_dll);
        // A local exchange configures everything itself. Reflection stays on so grpcurl-style tools work against the sandbox.
        info.Environment["DOTNET_ENVIRONMENT"] = _environment;
        info.Environment["ASPNETCORE_ENVIRONMENT"] = _environment;
        info.Environment["Grpc__EnableReflection"] = "true";
        info.Environment["Kestrel__Endpoints__Grpc__Url"] = Address.ToString().TrimEnd('/');
        info.Environment["Kestrel__Endpoints__Grpc__Protocols"] = "Http2";
        foreach (var (key, value) in _settings)
        {
            info.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }
        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {Name}");
        Starts++;
        var log = new StreamWriter(_logPath, append: true) { AutoFlush = true };
        await log.WriteLineAsync($"----- start {Starts} at {DateTime.UtcNow:O} -----");
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (log) { log.WriteLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (log) { log.WriteLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        await WaitHealthyAsync(timeout ?? TimeSpan.FromSeconds(60));
    }

    private async Task WaitHealthyAsync(TimeSpan timeout)
    {
        using var channel = GrpcChannel.ForAddress(Address);
        var health = new Health.HealthClient(channel);
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process!.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited with {_process.ExitCode} during start-up; see {_logPath}:\n{Tail()}");
            }
            try
            {
                var reply = await health.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(2));
                if (reply.Status == HealthCheckResponse.Types.ServingStatus.Serving && !_process.HasExited)
                {
                    return;
                }
            }
            catch (Grpc.Core.RpcException)
            {
                // not listening yet
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"{Name} was not healthy within {timeout}; see {_logPath}:\n{Tail()}");
    }

    /// <summary>SIGKILL: no shutdown hooks, no flushing; what a power cut or OOM kill does to the process.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false } p)
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
        }
        _process = null;
    }

    /// <summary>The same host (port, files, log) with some settings replaced; start it after stopping this one.</summary>
    public HostProcess With(IReadOnlyDictionary<string, string> overrides)
    {
        var settings = new Dictionary<string, string>(_settings);
        foreach (var (key, value) in overrides)
        {
            settings[key] = value;
        }
        return new HostProcess(Name, _dll, Port, settings, Path.GetDirectoryName(_logPath)!, _environment);
    }

    /// <summary>Peak resident memory of the running process (VmHWM), in bytes; Linux only.</summary>
    public long PeakMemoryBytes()
    {
        var pid = _process?.Id ?? throw new InvalidOperationException($"{Name} is not running");
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                var kb = long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
                return kb * 1024;
            }
        }
        throw new InvalidOperationException("VmHWM not found");
    }

    public string Tail(int lines = 40)
    {
        try
        {
            using var stream = new FileStream(_logPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            var all = reader.ReadToEnd().Split('\n');
            return string.Join('\n', all.TakeLast(lines));
        }
        catch (IOException)
        {
            return "";
        }
    }

    private static readonly HashSet<int> HandedOut = [];

    /// <summary>A port nothing listens on, never the same twice in this process: Linux readily hands the same
    /// ephemeral port to consecutive bind(0) calls, and two hosts on one port would answer each other's health checks.</summary>
    public static int FreePort()
    {
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            lock (HandedOut)
            {
                if (HandedOut.Add(port))
                {
                    return port;
                }
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        return ValueTask.CompletedTask;
    }
}
