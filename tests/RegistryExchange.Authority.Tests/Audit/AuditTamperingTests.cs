using Microsoft.EntityFrameworkCore;
using RegistryExchange.Authority.Audit;
using RegistryExchange.Storage;
using RegistryExchange.Storage.Model;

namespace RegistryExchange.Authority.Tests.Audit;

/// <summary>
/// Someone with write access to the database changes the stored log; verification names the first entry they
/// touched. Each test has a fresh database, so one tampering never hides another.
/// </summary>
public abstract class AuditTamperingTests : IAsyncLifetime
{
    private AuditDatabase? _database;

    protected abstract StorageProvider Provider { get; }

    private AuditDatabase Db => _database ?? throw new InvalidOperationException("Not initialised.");

    public async Task InitializeAsync() => _database = await AuditDatabase.CreateAsync(Provider);

    public async Task DisposeAsync()
    {
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    [Fact]
    public async Task An_untouched_log_verifies_with_its_checkpoints()
    {
        await Db.AppendAsync(3);
        await Db.Checkpoints.WriteAsync(CancellationToken.None);
        await Db.AppendAsync(3);
        await Db.Checkpoints.WriteAsync(CancellationToken.None);

        var result = await Db.VerifyAsync();

        Assert.True(result.Intact, result.Message);
        Assert.Equal(6, result.EntriesChecked);
        Assert.Equal(2, result.CheckpointsChecked);
        Assert.Equal(6, result.LastCheckpointSequence);
        var entries = await Db.EntriesAsync();
        Assert.Equal([1L, 2, 3, 4, 5, 6], entries.Select(e => e.Sequence));
        Assert.All(entries.Skip(1).Zip(entries), pair => Assert.Equal(pair.Second.Hash, pair.First.PreviousHash));
        Assert.Equal(2, entries[0].SubjectCount);
        Assert.Equal(["J110105000000", "T001/local-0"], (await Db.SubjectsAsync(1)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task An_empty_log_is_intact() => Assert.True((await Db.VerifyAsync()).Intact);

    [Fact]
    public async Task Editing_an_entry_names_it()
    {
        await Db.AppendAsync(5);
        await Db.ExecuteAsync("UPDATE audit_entries SET purpose = 'curiosity' WHERE sequence = 3");

        var result = await Db.VerifyAsync();

        AssertBroken(result, 3, AuditProblemKind.Edited);
        Assert.Equal(2, result.EntriesChecked);
    }

    [Fact]
    public async Task Removing_a_subject_from_an_entry_names_the_entry()
    {
        await Db.AppendAsync(4);
        await Db.ExecuteAsync("DELETE FROM audit_subjects WHERE entry_sequence = 2 AND student_key = 'T001/local-1'");

        AssertBroken(await Db.VerifyAsync(), 2, AuditProblemKind.Edited);
    }

    [Fact]
    public async Task Deleting_an_entry_names_the_missing_one()
    {
        await Db.AppendAsync(5);
        await Db.ExecuteAsync("DELETE FROM audit_subjects WHERE entry_sequence = 3");
        await Db.ExecuteAsync("DELETE FROM audit_entries WHERE sequence = 3");

        AssertBroken(await Db.VerifyAsync(), 3, AuditProblemKind.Deleted);
    }

    [Fact]
    public async Task Deleting_an_entry_and_renumbering_the_rest_names_the_gap()
    {
        await Db.AppendAsync(4);
        await Db.ExecuteAsync("DELETE FROM audit_subjects WHERE entry_sequence = 2");
        await Db.ExecuteAsync("DELETE FROM audit_entries WHERE sequence = 2");
        foreach (var sequence in new[] { 3, 4 })
        {
            await Db.ExecuteAsync($"UPDATE audit_subjects SET entry_sequence = {sequence - 1} WHERE entry_sequence = {sequence}");
            await Db.ExecuteAsync($"UPDATE audit_entries SET sequence = {sequence - 1} WHERE sequence = {sequence}");
        }

        var result = await Db.VerifyAsync();

        Assert.False(result.Intact);
        Assert.Equal(2, result.FirstBadSequence);
    }

    [Fact]
    public async Task Swapping_two_entries_names_the_first_as_reordered()
    {
        await Db.AppendAsync(5);
        await SwapContentAsync(3, 4);

        AssertBroken(await Db.VerifyAsync(), 3, AuditProblemKind.Reordered);
    }

    [Fact]
    public async Task Editing_and_recomputing_the_rest_of_the_chain_is_caught_by_the_checkpoint()
    {
        await Db.AppendAsync(2);
        await Db.Checkpoints.WriteAsync(CancellationToken.None);
        await Db.AppendAsync(2);
        await Db.Checkpoints.WriteAsync(CancellationToken.None);
        await Db.AppendAsync(2);

        // The attacker edits entry 3 and recomputes every hash from there: the chain alone is consistent again.
        await RewriteFromAsync(3, e => e.Purpose = "curiosity");
        var result = await Db.VerifyAsync();

        AssertBroken(result, 3, AuditProblemKind.CheckpointMismatch);
        Assert.Contains("between entries 3 and 4", result.Message, StringComparison.Ordinal);
        Assert.Equal(1, result.CheckpointsChecked);
    }

    [Fact]
    public async Task Rewriting_a_checkpoint_to_match_a_recomputed_chain_fails_its_signature()
    {
        await Db.AppendAsync(3);
        await Db.Checkpoints.WriteAsync(CancellationToken.None);
        await RewriteFromAsync(2, e => e.Detail = "nothing to see");
        var head = (await Db.EntriesAsync())[^1];
        await using (var db = await Db.Contexts.CreateDbContextAsync())
        {
            var checkpoint = await db.AuditCheckpoints.SingleAsync();
            checkpoint.Hash = head.Hash;
            // A payload naming the new hash, with the old signature: it cannot verify.
            var parts = checkpoint.Signature.Split('.');
            var payload = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new { sequence = 3, hash = AuditChain.Hex(head.Hash), signed_at = 0 });
            checkpoint.Signature = parts[0] + "." + Convert.ToBase64String(payload).TrimEnd('=').Replace('+', '-').Replace('/', '_') + "." + parts[2];
            await db.SaveChangesAsync();
        }

        AssertBroken(await Db.VerifyAsync(), 3, AuditProblemKind.BadCheckpointSignature);
    }

    [Fact]
    public async Task Cutting_off_the_tail_is_caught_by_a_checkpoint_that_covers_it()
    {
        await Db.AppendAsync(4);
        await Db.Checkpoints.WriteAsync(CancellationToken.None);
        await Db.ExecuteAsync("DELETE FROM audit_subjects WHERE entry_sequence >= 3");
        await Db.ExecuteAsync("DELETE FROM audit_entries WHERE sequence >= 3");

        AssertBroken(await Db.VerifyAsync(), 3, AuditProblemKind.Deleted);
    }

    [Fact]
    public async Task The_checkpoint_writer_signs_the_head_and_skips_when_nothing_is_new()
    {
        Assert.Null(await Db.Checkpoints.WriteAsync(CancellationToken.None));
        await Db.AppendAsync(2);

        var first = await Db.Checkpoints.WriteAsync(CancellationToken.None);
        var idle = await Db.Checkpoints.WriteAsync(CancellationToken.None);
        await Db.AppendAsync(1);
        var second = await Db.Checkpoints.WriteAsync(CancellationToken.None);

        Assert.NotNull(first);
        Assert.Null(idle);
        Assert.NotNull(second);
        Assert.Equal(2, first.Sequence);
        Assert.Equal(3, second.Sequence);
        var entries = await Db.EntriesAsync();
        Assert.Equal(entries[1].Hash, first.Hash);
        Assert.Equal(Db.Clock.Now.ToUnixTimeSeconds(), new DateTimeOffset(second.SignedAt).ToUnixTimeSeconds());
        var claims = Db.Keys.Verify(second.Signature);
        Assert.NotNull(claims);
        Assert.Equal(new AuditCheckpointClaims(3, AuditChain.Hex(entries[2].Hash), Db.Clock.Now.ToUnixTimeSeconds()), claims);
        Assert.Equal(Db.Keys.ActiveKeyId, second.KeyId);
        await using var db = await Db.Contexts.CreateDbContextAsync();
        Assert.Equal(2, await db.AuditCheckpoints.CountAsync());
    }

    [Fact]
    public async Task Checkpoints_signed_with_a_retired_key_still_verify()
    {
        await Db.AppendAsync(2);
        await Db.Checkpoints.WriteAsync(CancellationToken.None);
        // Retire the key: its private half goes, its public half stays; the next start creates a new key.
        foreach (var file in Directory.GetFiles(Db.KeyDirectory, "*.key.pem"))
        {
            File.Delete(file);
        }
        Db.Clock.Advance(TimeSpan.FromDays(1));
        using var next = new AuditKeyRing(Db.KeyDirectory, Db.Clock);
        Assert.NotEqual(Db.Keys.ActiveKeyId, next.ActiveKeyId);
        await Db.AppendAsync(1);
        await new AuditCheckpointWriter(Db.Contexts, Db.Log, next, Db.Clock).WriteAsync(CancellationToken.None);

        var result = await new AuditService(Db.Contexts, Db.Log, next).VerifyAsync(CancellationToken.None);

        Assert.True(result.Intact, result.Message);
        Assert.Equal(2, result.CheckpointsChecked);
    }

    private static void AssertBroken(AuditVerification result, long sequence, AuditProblemKind problem)
    {
        Assert.False(result.Intact);
        Assert.True(sequence == result.FirstBadSequence && problem == result.Problem,
            $"Expected {problem} at {sequence} but got {result.Problem} at {result.FirstBadSequence}: {result.Message}");
    }

    /// <summary>Swaps every column but the sequence, subjects included: the two rows trade places in the chain.</summary>
    private async Task SwapContentAsync(long a, long b)
    {
        await using var db = await Db.Contexts.CreateDbContextAsync();
        await using var transaction = await db.Database.BeginTransactionAsync();
        var first = await db.AuditEntries.SingleAsync(e => e.Sequence == a);
        var second = await db.AuditEntries.SingleAsync(e => e.Sequence == b);
        (first.RecordedAt, second.RecordedAt) = (second.RecordedAt, first.RecordedAt);
        (first.ActorClientId, second.ActorClientId) = (second.ActorClientId, first.ActorClientId);
        (first.ActorKind, second.ActorKind) = (second.ActorKind, first.ActorKind);
        (first.ActorSchoolCode, second.ActorSchoolCode) = (second.ActorSchoolCode, first.ActorSchoolCode);
        (first.Action, second.Action) = (second.Action, first.Action);
        (first.Purpose, second.Purpose) = (second.Purpose, first.Purpose);
        (first.SubjectCount, second.SubjectCount) = (second.SubjectCount, first.SubjectCount);
        (first.Detail, second.Detail) = (second.Detail, first.Detail);
        (first.PreviousHash, second.PreviousHash) = (second.PreviousHash, first.PreviousHash);
        (first.Hash, second.Hash) = (second.Hash, first.Hash);
        await db.SaveChangesAsync();
        await db.Database.ExecuteSqlAsync($"UPDATE audit_subjects SET entry_sequence = -1 WHERE entry_sequence = {a}");
        await db.Database.ExecuteSqlAsync($"UPDATE audit_subjects SET entry_sequence = {a} WHERE entry_sequence = {b}");
        await db.Database.ExecuteSqlAsync($"UPDATE audit_subjects SET entry_sequence = {b} WHERE entry_sequence = -1");
        await transaction.CommitAsync();
    }

    /// <summary>What an attacker without the audit key can do: edit an entry and recompute every hash after it.</summary>
    private async Task RewriteFromAsync(long sequence, Action<AuditEntryRow> edit)
    {
        await using var db = await Db.Contexts.CreateDbContextAsync();
        var rows = await db.AuditEntries.OrderBy(e => e.Sequence).ToListAsync();
        var subjects = await db.AuditSubjects.AsNoTracking().ToListAsync();
        var previous = AuditChain.Genesis;
        foreach (var row in rows)
        {
            if (row.Sequence == sequence)
            {
                edit(row);
            }
            if (row.Sequence >= sequence)
            {
                row.PreviousHash = previous;
                row.Hash = AuditChain.ComputeHash(AuditService.ToChainEntry(row,
                    subjects.Where(s => s.EntrySequence == row.Sequence).Select(s => s.StudentKey)));
            }
            previous = row.Hash;
        }
        await db.SaveChangesAsync();
    }
}

public sealed class SqliteAuditTamperingTests : AuditTamperingTests
{
    protected override StorageProvider Provider => StorageProvider.Sqlite;
}

public sealed class PostgresAuditTamperingTests : AuditTamperingTests
{
    protected override StorageProvider Provider => StorageProvider.Postgres;
}
