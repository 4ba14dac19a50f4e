using Grpc.Core;
using RegistryExchange.Contracts.V1;

using RegistryExchange.LocalHosting;

namespace RegistryExchange.EndToEnd.Tests.Infrastructure;

/// <summary>Checks that the authority holds exactly what a school's agent holds: every local change applied once,
/// in order, and the resulting records equal.</summary>
public static class Verification
{
    public static async Task<List<StudentRecord>> ListAllStudentsAsync(SchoolRegisterService.SchoolRegisterServiceClient register)
    {
        var all = new List<StudentRecord>();
        var after = "";
        while (true)
        {
            var page = await register.ListStudentsAsync(new ListStudentsRequest { PageSize = 500, AfterLocalId = after }, deadline: DateTime.UtcNow.AddSeconds(30));
            all.AddRange(page.Students);
            if (page.Students.Count < 500)
            {
                return all;
            }
            after = page.Students[^1].LocalId;
        }
    }

    public static async Task<List<RejectedChange>> ListAllRejectionsAsync(SyncService.SyncServiceClient sync)
    {
        var all = new List<RejectedChange>();
        ulong before = 0;
        while (true)
        {
            var page = await sync.ListRejectedChangesAsync(new ListRejectedChangesRequest { BeforeSequence = before, PageSize = 500 }, deadline: DateTime.UtcNow.AddSeconds(30));
            all.AddRange(page.RejectedChanges);
            if (page.RejectedChanges.Count < 500)
            {
                return all;
            }
            before = page.RejectedChanges[^1].Sequence;
        }
    }

    public static async Task AssertAuthorityMatchesAgentAsync(LocalExchange exchange, LocalExchange.School school)
    {
        var status = await exchange.Register(school).GetSyncStatusAsync(new GetSyncStatusRequest());
        var students = await ListAllStudentsAsync(exchange.Register(school));
        var feed = (await exchange.ReadFeedAsync()).Where(e => e.SchoolCode == school.Code).ToList();
        var rejections = await ListAllRejectionsAsync(exchange.Sync(school));

        // Exactly once: every local sequence is either in the feed or rejected, once, and the feed is in order.
        var sequences = feed.Select(e => e.Change.Sequence).Concat(rejections.Select(r => r.Sequence)).Order().ToList();
        Assert.Equal(Enumerable.Range(1, (int)status.LastLocalSequence).Select(i => (ulong)i), sequences);
        Assert.Equal(feed.Select(e => e.Change.Sequence).Order(), feed.Select(e => e.Change.Sequence));
        Assert.Equal(feed.Select(e => e.Version).Distinct().Count(), feed.Count);

        var byNumber = feed.GroupBy(e => e.NationalStudentNumber).ToDictionary(g => g.Key, g => g.ToList());
        foreach (var student in students)
        {
            Assert.False(string.IsNullOrEmpty(student.NationalStudentNumber), $"{student.LocalId} has no national number at the agent");
            Assert.True(byNumber.TryGetValue(student.NationalStudentNumber, out var entries), $"{student.NationalStudentNumber} is not at the authority");
            var last = entries![^1];
            Assert.Equal(student.Version, last.RecordVersion);
            Assert.Equal(student.Status, last.StatusAfter);
            Assert.Equal(student.StatusHistory.Count - 1, entries.Count(e => e.Kind == FeedEntryKind.StatusChanged));
            var lastDetails = entries.Last(e => e.Kind is FeedEntryKind.Created or FeedEntryKind.Updated);
            var details = lastDetails.Change.ChangeCase == RecordChange.ChangeOneofCase.Created ? lastDetails.Change.Created.Details : lastDetails.Change.Updated.Details;
            Assert.Equal(student.Details, details);
        }
        Assert.Equal(students.Count, byNumber.Count);
    }
}
