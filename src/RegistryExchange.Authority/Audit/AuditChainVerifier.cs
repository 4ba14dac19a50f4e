using System.Globalization;

namespace RegistryExchange.Authority.Audit;

/// <summary>What is wrong with the log, in the order of the contract's AuditProblem.</summary>
public enum AuditProblemKind
{
    None = 0,
    Edited = 1,
    Deleted = 2,
    Reordered = 3,
    CheckpointMismatch = 4,
    BadCheckpointSignature = 5,
}

/// <summary>A checkpoint as stored: the chain's hash at <see cref="Sequence"/>, and the JWS that signs it.</summary>
public sealed record AuditCheckpointRecord(long Sequence, byte[] Hash, DateTime SignedAt, string KeyId, string Signature);

/// <summary>What a checkpoint's signature vouches for, once verified.</summary>
public sealed record AuditCheckpointClaims(long Sequence, string HashHex, long SignedAtUnixSeconds);

public sealed record AuditVerification(
    bool Intact,
    long EntriesChecked,
    long CheckpointsChecked,
    long FirstBadSequence,
    AuditProblemKind Problem,
    string Message,
    long LastCheckpointSequence);

/// <summary>
/// Walks the stored entries in sequence order and the checkpoints beside them, and names the first entry that was
/// edited, deleted or reordered. A chain recomputed after an edit is consistent by itself, so it is caught by the
/// signed checkpoints: the first one whose hash the chain no longer reaches.
/// </summary>
public static class AuditChainVerifier
{
    /// <param name="entries">Every stored entry, by sequence ascending.</param>
    /// <param name="checkpoints">Every stored checkpoint, by sequence ascending.</param>
    /// <param name="verifySignature">The claims a checkpoint's JWS signs, or null when it does not verify.</param>
    public static async Task<AuditVerification> VerifyAsync(
        IAsyncEnumerable<AuditChainEntry> entries,
        IAsyncEnumerable<AuditCheckpointRecord> checkpoints,
        Func<AuditCheckpointRecord, AuditCheckpointClaims?> verifySignature,
        CancellationToken ct)
    {
        var state = new Walk(verifySignature);
        await using var checkpointCursor = checkpoints.GetAsyncEnumerator(ct);
        state.NextCheckpoint = await checkpointCursor.MoveNextAsync() ? checkpointCursor.Current : null;
        await using var entryCursor = entries.GetAsyncEnumerator(ct);
        var current = await entryCursor.MoveNextAsync() ? entryCursor.Current : null;
        while (current is not null)
        {
            var next = await entryCursor.MoveNextAsync() ? entryCursor.Current : null;
            if (state.Check(current, next) is { } broken)
            {
                return broken;
            }
            while (state.NextCheckpoint is { } checkpoint && checkpoint.Sequence <= current.Sequence)
            {
                if (state.CheckCheckpoint(checkpoint, current) is { } bad)
                {
                    return bad;
                }
                state.NextCheckpoint = await checkpointCursor.MoveNextAsync() ? checkpointCursor.Current : null;
            }
            current = next;
        }
        if (state.NextCheckpoint is { } beyond)
        {
            // A signed checkpoint covers entries the log no longer has: its tail was cut off.
            if (state.Claims(beyond) is null)
            {
                return state.Fail(beyond.Sequence, AuditProblemKind.BadCheckpointSignature,
                    $"The checkpoint at entry {beyond.Sequence} does not verify against the audit keys.");
            }
            return state.Fail(state.ExpectedSequence, AuditProblemKind.Deleted,
                $"Entries from {state.ExpectedSequence} on are missing: a signed checkpoint covers the log up to entry {beyond.Sequence}.");
        }
        return new AuditVerification(true, state.EntriesChecked, state.CheckpointsChecked, 0, AuditProblemKind.None,
            $"The log is intact: {state.EntriesChecked} entries, {state.CheckpointsChecked} checkpoints.", state.LastCheckpointSequence);
    }

    private sealed class Walk(Func<AuditCheckpointRecord, AuditCheckpointClaims?> verifySignature)
    {
        private byte[] _previousHash = AuditChain.Genesis;

        public AuditCheckpointRecord? NextCheckpoint { get; set; }
        public long ExpectedSequence { get; private set; } = 1;
        public long EntriesChecked { get; private set; }
        public long CheckpointsChecked { get; private set; }
        public long LastCheckpointSequence { get; private set; }
        // Entries after the last good checkpoint are the ones a recomputed chain may have rewritten.
        private long _lastGoodCheckpoint;

        public AuditVerification? Check(AuditChainEntry entry, AuditChainEntry? next)
        {
            if (entry.Sequence != ExpectedSequence)
            {
                return Fail(ExpectedSequence, AuditProblemKind.Deleted,
                    $"Entry {ExpectedSequence} is missing: the log goes from {ExpectedSequence - 1} to {entry.Sequence}.");
            }
            var linked = entry.PreviousHash.AsSpan().SequenceEqual(_previousHash);
            var selfConsistent = AuditChain.ComputeHash(entry).AsSpan().SequenceEqual(entry.Hash);
            if (!linked)
            {
                if (next is not null && next.Hash.AsSpan().SequenceEqual(entry.PreviousHash))
                {
                    return Fail(entry.Sequence, AuditProblemKind.Reordered,
                        $"Entry {entry.Sequence} does not follow entry {entry.Sequence - 1}: it was chained after the entry now stored as {next.Sequence}.");
                }
                return selfConsistent
                    ? Fail(entry.Sequence, AuditProblemKind.Deleted,
                        $"The entry chained before entry {entry.Sequence} is missing: its previous hash matches no entry before it.")
                    : Fail(entry.Sequence, AuditProblemKind.Edited,
                        $"Entry {entry.Sequence} was changed: neither its content nor its link to entry {entry.Sequence - 1} matches its hash.");
            }
            if (!selfConsistent)
            {
                return Fail(entry.Sequence, AuditProblemKind.Edited, $"Entry {entry.Sequence} was changed after it was written: its content no longer matches its hash.");
            }
            _previousHash = entry.Hash;
            ExpectedSequence = entry.Sequence + 1;
            EntriesChecked++;
            return null;
        }

        /// <summary>Called with the entry at or after the checkpoint; <paramref name="entry"/> passed <see cref="Check"/>.</summary>
        public AuditVerification? CheckCheckpoint(AuditCheckpointRecord checkpoint, AuditChainEntry entry)
        {
            var claims = Claims(checkpoint);
            if (claims is null)
            {
                return Fail(checkpoint.Sequence, AuditProblemKind.BadCheckpointSignature,
                    $"The checkpoint at entry {checkpoint.Sequence} does not verify against the audit keys.");
            }
            // Only reached for a checkpoint that names an entry the walk saw (gaps fail first).
            if (checkpoint.Sequence != entry.Sequence || claims.HashHex != AuditChain.Hex(entry.Hash))
            {
                var from = _lastGoodCheckpoint + 1;
                return Fail(from, AuditProblemKind.CheckpointMismatch,
                    $"The chain was rewritten between entries {from} and {checkpoint.Sequence}: the checkpoint signed at " +
                    $"{DateTimeOffset.FromUnixTimeSeconds(claims.SignedAtUnixSeconds).ToString("u", CultureInfo.InvariantCulture)} " +
                    $"holds a different hash for entry {checkpoint.Sequence}.");
            }
            _lastGoodCheckpoint = checkpoint.Sequence;
            LastCheckpointSequence = checkpoint.Sequence;
            CheckpointsChecked++;
            return null;
        }

        /// <summary>
        /// The signed claims, if the signature verifies and names the row's entry. The chain is compared with the
        /// signed hash, never the row's copy of it, which an attacker could rewrite along with the chain.
        /// </summary>
        public AuditCheckpointClaims? Claims(AuditCheckpointRecord checkpoint)
        {
            var claims = verifySignature(checkpoint);
            return claims is not null && claims.Sequence == checkpoint.Sequence ? claims : null;
        }

        public AuditVerification Fail(long sequence, AuditProblemKind problem, string message) =>
            new(false, EntriesChecked, CheckpointsChecked, sequence, problem, message, LastCheckpointSequence);
    }
}
