using Grpc.Core;
using RegistryExchange.Contracts.V1;
using RegistryExchange.Protocol;
using RegistryExchange.SampleData;
using RegistryExchange.EndToEnd.Tests.Infrastructure;
using RegistryExchange.LocalHosting;

namespace RegistryExchange.EndToEnd.Tests;

/// <summary>
/// kill -9 at seeded points while changes flow. Afterwards the authority must hold exactly the agent's records and
/// history: every local change applied once, none lost, none twice.
/// </summary>
public sealed class CrashSafetyTests
{
    private const int Seed = 20261203;
    // Small batches, one in flight: a push of a few hundred changes takes long enough to be killed in the middle.
    private static readonly Dictionary<string, string> SlowPush = new() { ["Push:BatchSize"] = "20", ["Push:MaxInFlightBatches"] = "1" };

    [Fact]
    public async Task Killing_the_agent_at_ten_points_while_it_pushes_loses_nothing_and_applies_nothing_twice()
    {
        await using var exchange = LocalExchange.Create(new LocalExchangeOptions { Name = "kill-agent", SchoolCount = 1, AgentSettings = SlowPush });
        await exchange.StartAllAsync();
        var school = exchange.Schools[0];
        var random = new Random(Seed);
        var workload = new Workload(school.RegionCode, Seed);
        var killsWhilePushing = 0;

        // Rounds go on until ten kills have landed with changes still unpushed and at least 5,000 changes were made
        // (bounded: a kill between a push's catching up and the next write does not count; a slow machine needs more rounds).
        for (var round = 0; round < 60 && (killsWhilePushing < 10 || workload.Changes < 5000); round++)
        {
            // Staff keep entering students while the agent pushes; the kill lands at a seeded moment in between.
            using var stop = new CancellationTokenSource();
            var writing = workload.RunUntilStoppedAsync(exchange.Register(school), stop.Token);
            await Task.Delay(random.Next(500, 2500));
            var status = await exchange.Register(school).GetSyncStatusAsync(new GetSyncStatusRequest());
            school.Agent.Kill();
            await stop.CancelAsync();
            await writing;
            if (status.PendingChanges > 0)
            {
                killsWhilePushing++;
            }
            await school.Agent.StartAsync();
        }

        var final = await exchange.Register(school).GetSyncStatusAsync(new GetSyncStatusRequest());
        Assert.True(final.LastLocalSequence >= 5000, $"only {final.LastLocalSequence} changes were made");
        Assert.True(killsWhilePushing >= 10, $"only {killsWhilePushing} kills hit a push in progress");
        await exchange.WaitUntilSyncedAsync(school, TimeSpan.FromMinutes(2));
        await Verification.AssertAuthorityMatchesAgentAsync(exchange, school);
    }

    [Fact]
    public async Task Killing_the_authority_at_five_points_mid_apply_loses_nothing_and_applies_nothing_twice()
    {
        await using var exchange = LocalExchange.Create(new LocalExchangeOptions { Name = "kill-authority", SchoolCount = 1, AgentSettings = SlowPush });
        await exchange.StartAllAsync();
        var school = exchange.Schools[0];
        var random = new Random(Seed + 1);
        var workload = new Workload(school.RegionCode, Seed + 1);
        var sync = exchange.Sync(school);
        var killsMidApply = 0;

        for (var round = 0; round < 20 && killsMidApply < 5; round++)
        {
            await workload.RunAsync(exchange.Register(school), changes: 800);
            await Task.Delay(random.Next(20, 150));
            var before = await sync.GetHighWaterMarkAsync(new GetHighWaterMarkRequest());
            var local = await exchange.Register(school).GetSyncStatusAsync(new GetSyncStatusRequest());
            exchange.Authority.Kill();
            if (before.HighWaterMark < local.LastLocalSequence)
            {
                killsMidApply++;
            }
            await Task.Delay(random.Next(0, 300)); // the agent sees the authority gone and backs off
            await exchange.Authority.StartAsync();
        }

        Assert.True(killsMidApply >= 5, $"only {killsMidApply} kills hit the authority while changes were outstanding");
        await exchange.WaitUntilSyncedAsync(school, TimeSpan.FromMinutes(2));
        await Verification.AssertAuthorityMatchesAgentAsync(exchange, school);
    }

    /// <summary>Seeded mix of creates (through bulk import), updates and status changes.</summary>
    private sealed class Workload(string region, int seed)
    {
        private readonly Random _random = new(seed);
        private readonly List<string> _enrolled = [];
        private readonly IEnumerator<SampleStudent> _students = TestStudents.Endless(seed, region);

        public int Changes { get; private set; }

        /// <summary>Imports and edits until stopped or until the agent dies under it (a kill mid-request is the point).</summary>
        public async Task RunUntilStoppedAsync(SchoolRegisterService.SchoolRegisterServiceClient register, CancellationToken stop)
        {
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    await RunAsync(register, changes: 550);
                }
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.Internal or StatusCode.Cancelled or StatusCode.Unknown)
            {
                // killed mid-request: whether that last request committed is for the verification to find out
            }
        }

        public async Task RunAsync(SchoolRegisterService.SchoolRegisterServiceClient register, int changes)
        {
            var creates = _enrolled.Count < 200 ? changes : changes * 10 / 11;
            var import = new ImportStudentsRequest();
            for (var i = 0; i < creates; i++)
            {
                var student = _students.Current;
                _students.MoveNext();
                import.Rows.Add(new ImportRow { RowNumber = i + 2, LocalId = student.LocalId, Details = student.Details.ToWire() });
            }
            var imported = await register.ImportStudentsAsync(import, deadline: DateTime.UtcNow.AddMinutes(1));
            Assert.All(imported.Results, r => Assert.True(r.Created, string.Join("; ", r.Errors)));
            _enrolled.AddRange(imported.Results.Select(r => r.LocalId));
            Changes += creates;

            for (var i = creates; i < changes; i++)
            {
                var localId = _enrolled[_random.Next(_enrolled.Count)];
                try
                {
                    if (_random.Next(3) == 0)
                    {
                        var current = await register.GetStudentAsync(new GetStudentRequest { LocalId = localId });
                        var details = current.Student.Details.Clone();
                        details.Grades.Add(new CourseGrade { Term = "2025-2026-1", Course = "物理" + i, Score = _random.Next(50, 100).ToString(System.Globalization.CultureInfo.InvariantCulture) });
                        await register.UpdateStudentAsync(new UpdateStudentRequest { LocalId = localId, Details = details });
                    }
                    else
                    {
                        var kind = _random.Next(2) == 0 ? StatusEventKind.Suspend : StatusEventKind.Resume;
                        await register.ChangeStudentStatusAsync(new ChangeStudentStatusRequest
                        {
                            LocalId = localId,
                            Event = new StatusChanged { Kind = kind, EffectiveDate = "2025-10-01", Reason = kind == StatusEventKind.Suspend ? "休学" : "复学" },
                        });
                    }
                    Changes++;
                }
                catch (RpcException e) when (e.StatusCode is StatusCode.FailedPrecondition or StatusCode.NotFound)
                {
                    // resume of an enrolled student or suspension of a suspended one, or a student whose import died
                    // with the agent: refused locally, nothing recorded
                }
            }
        }
    }
}
